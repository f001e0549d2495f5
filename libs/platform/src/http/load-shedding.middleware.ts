import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendHttpException } from './http-error.filter.js';
import { isProbePath } from './probe-path.js';
import { RetryLaterException } from './retry-later.exception.js';

/** Long enough for a burst to drain, short enough that a client barely notices. */
const RETRY_AFTER_MS = 1000;

/**
 * MAX_CONCURRENT_REQUESTS: past that many requests in progress in this
 * process, a new one is answered 503 with Retry-After before any work is done
 * for it (nothing read, counted or spent), so overload costs the clients a
 * retry instead of every request waiting longer behind an unbounded queue.
 * A request leaves the count when its answer is sent or its client goes away.
 */
export function shedLoad(maxConcurrentRequests: number) {
  let inProgress = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isProbePath(req.path)) {
      next();
      return;
    }
    if (inProgress >= maxConcurrentRequests) {
      sendHttpException(
        res,
        new RetryLaterException(HttpStatus.SERVICE_UNAVAILABLE, 'The service is busy: retry shortly', RETRY_AFTER_MS),
      );
      return;
    }
    inProgress++;
    // 'close' comes once per response: after it is sent, or when the client goes away first.
    res.once('close', () => inProgress--);
    next();
  };
}
