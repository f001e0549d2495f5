import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { HealthCheckFailedException } from '../health/health-check-failed.exception.js';
import { RetryLaterException } from './retry-later.exception.js';
import { requestIdOf } from '../logging/request-id.js';

/**
 * The one error filter: every error answers `{statusCode, error, message}`.
 * An HttpException keeps its status and message(s); anything else is a 500
 * that says nothing, logged with a request id the caller can quote.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      sendHttpException(response, exception);
      return;
    }
    const requestId = requestIdOf(request);
    // Method and path only: bodies and headers carry secrets.
    const path = request.originalUrl.split('?')[0];
    const stack = describeError(exception);
    this.logger.error(`Unhandled error in request ${requestId}: ${request.method} ${path}`, stack);
    if (!response.headersSent) response.setHeader('X-Request-Id', requestId);
    send(response, HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/** The answer for an HttpException, also sent by middleware that runs before Nest's filters. */
export function sendHttpException(response: Response, exception: HttpException): void {
  if (exception instanceof RetryLaterException && !response.headersSent) {
    response.setHeader('Retry-After', String(exception.retryAfterSeconds));
  }
  // A failed readiness check also says which checks failed.
  const extra = exception instanceof HealthCheckFailedException ? { checks: exception.checks } : {};
  send(response, exception.getStatus(), messageOf(exception), extra);
}

function send(response: Response, statusCode: number, message: string | string[], extra: object = {}): void {
  // Too late for a body once one has started: end what was sent.
  if (response.headersSent) {
    response.end();
    return;
  }
  response.status(statusCode).json({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...extra });
}

/** Nest's message(s): a string, or a body whose `message` is one or a list (validation). */
function messageOf(exception: HttpException): string | string[] {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && message.every((m) => typeof m === 'string')) return message;
  return STATUS_CODES[exception.getStatus()] ?? 'Error';
}

/**
 * The stack, except that a failed query's message is left out: drivers quote
 * input in it ("invalid input syntax for type uuid: ..."), and the database
 * logger has already logged the statement without its parameters.
 */
function describeError(exception: unknown): string | undefined {
  if (!(exception instanceof Error)) return `A non-Error was thrown (${typeof exception})`;
  if (!(exception instanceof QueryFailedError)) return exception.stack;
  const code = (exception.driverError as { code?: unknown } | undefined)?.code;
  const frames = (exception.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  return [`QueryFailedError (SQLSTATE ${String(code ?? 'unknown')})`, ...frames].join('\n');
}
