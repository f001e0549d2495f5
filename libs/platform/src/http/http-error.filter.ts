import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { HealthCheckFailedException } from '../health/health-check-failed.exception.js';
import { ConflictWithIdsException } from './conflict-with-ids.exception.js';
import { RetryLaterException } from './retry-later.exception.js';
import { requestIdOf } from '../logging/request-id.js';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';

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
    if (isDatabaseUnavailable(exception)) {
      // Not a fault of the request or the code: the client retries; the operator sees it in readiness and here.
      this.logger.warn(
        `Database unavailable in request ${requestId}: ${request.method} ${path}: ${summary(exception)}`,
      );
      sendHttpException(response, DATABASE_UNAVAILABLE());
      return;
    }
    const stack = describeError(exception);
    this.logger.error(`Unhandled error in request ${requestId}: ${request.method} ${path}`, stack);
    if (!response.headersSent) response.setHeader('X-Request-Id', requestId);
    send(response, HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

const DATABASE_UNAVAILABLE = () =>
  new RetryLaterException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'The database is not answering right now: try again shortly',
    DATABASE_RETRY_AFTER_MS,
  );
/** Long enough for a pool to reconnect to a database that came back. */
const DATABASE_RETRY_AFTER_MS = 2000;

/** The answer for an HttpException, also sent by middleware that runs before Nest's filters. */
export function sendHttpException(response: Response, exception: HttpException): void {
  if (exception instanceof RetryLaterException && !response.headersSent) {
    response.setHeader('Retry-After', String(exception.retryAfterSeconds));
  }
  // A failed readiness check also says which checks failed; some conflicts name the ids involved.
  const extra =
    exception instanceof HealthCheckFailedException
      ? { checks: exception.checks }
      : exception instanceof ConflictWithIdsException
        ? exception.ids
        : {};
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

/** A connection error's code or first line: neither quotes input. */
function summary(exception: unknown): string {
  const { code, message } = exception as { code?: unknown; message?: unknown };
  return typeof code === 'string' ? code : String(message).split('\n')[0];
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
  return [`QueryFailedError (SQLSTATE ${typeof code === 'string' ? code : 'unknown'})`, ...frames].join('\n');
}
