import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** What body-parser throws while reading: an http-errors 4xx (parse, charset, encoding, size). */
interface BodyParserError {
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return !(error instanceof HttpException) && typeof e?.status === 'number' && e.status >= 400 && e.status < 500;
}

/**
 * Registered right after the JSON parser: a body that cannot be read becomes a
 * 400 (413 when too large) in Nest's `{statusCode, error, message}` shape,
 * whatever body-parser's own status was (a bad charset or encoding too).
 */
export function bodyParserErrors(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  if (!isBodyParserError(error)) return next(error);
  next(
    error.status === 413
      ? new PayloadTooLargeException('The request body is too large')
      : new BadRequestException(`The request body is not readable JSON: ${error.message}`),
  );
}
