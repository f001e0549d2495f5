import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendHttpException } from './http-error.filter.js';
import { RetryLaterException } from './retry-later.exception.js';

/** Probes and scrapers still answer when the service is busy: that is when they matter most. */
const EXEMPT_PATH = /^\/(health|metrics)(\/|$)/;
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
    if (EXEMPT_PATH.test(req.path)) {
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
    let counted = true;
    const leave = () => {
      if (counted) inProgress--;
      counted = false;
    };
    res.once('finish', leave);
    res.once('close', leave);
    next();
  };
}
