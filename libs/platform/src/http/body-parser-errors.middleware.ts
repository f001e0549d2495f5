import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** What body-parser (and raw-body under it) passes on while reading: an http-errors error. */
interface BodyParserError {
  status: number;
  /** Says what went wrong; absent on a decompression error from zlib. */
  type?: string;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return !(error instanceof HttpException) && typeof e?.status === 'number' && e.status >= 400 && e.status < 500;
}

export const INVALID_JSON_MESSAGE = 'The request body is not valid JSON';

/**
 * Fixed messages by body-parser's error type. body-parser's own messages may
 * quote the body (Node's JSON.parse does), so none of them is passed on.
 */
const MESSAGES: Record<string, string> = {
  'charset.unsupported': 'The request body must be UTF-8 JSON: its charset is not supported',
  'encoding.unsupported':
    'The request body has a Content-Encoding that is not supported (use gzip, deflate, br or none)',
  'request.aborted': 'The request was aborted before its body was read',
  'request.size.invalid': 'The request body does not match its Content-Length',
};
const UNREADABLE_MESSAGE = 'The request body cannot be read (is its Content-Encoding right?)';

/** The error we answer for one of body-parser's: only its position, never its text. */
export function bodyParserException(error: { type?: string; message: string; status: number }): HttpException {
  if (error.type === 'entity.too.large' || error.status === 413) {
    return new PayloadTooLargeException('The request body is too large');
  }
  if (error.type === 'entity.parse.failed') {
    // JSON.parse's message quotes the input; the position is all it may give away.
    const position = /\bat position (\d+)\b/.exec(error.message)?.[1];
    return new BadRequestException(
      position ? `${INVALID_JSON_MESSAGE} (at position ${position})` : INVALID_JSON_MESSAGE,
    );
  }
  return new BadRequestException((error.type && MESSAGES[error.type]) ?? UNREADABLE_MESSAGE);
}

/**
 * Registered right after the JSON parser: a body that cannot be read becomes a
 * 400 (413 when too large), whatever body-parser's own status was (415 for a
 * bad charset or encoding). A 5xx passes on: it is a server fault, which the
 * error filter logs.
 */
export function bodyParserErrors(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  next(isBodyParserError(error) ? bodyParserException(error) : error);
}
