import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 or 503 that tells the client when to come back (`Retry-After`, whole seconds). */
export class RetryLaterException extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE,
    message: string,
    retryAfterMs: number,
  ) {
    super(message, status);
    // Whole seconds to the window's end, never 0: "now" would be refused again.
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  }
}
