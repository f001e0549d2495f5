import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../http/bearer-token.js';
import { isProbePath } from '../http/probe-path.js';
import { sendHttpException } from '../http/http-error.filter.js';
import { countedAddress } from './rate-limit-config.js';
import type { RateLimits } from './rate-limits.service.js';

/**
 * RATE_LIMIT_REQUESTS_PER_ADDRESS: every request counts, before its body is
 * read, except the exempt paths and the keyserver's API-key calls (they all
 * come from the keyserver's one address).
 */
export function requestCeiling(limits: RateLimits) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isProbePath(req.path) || presentsExemptBearer(req, limits.exemptBearerHash)) {
      next();
      return;
    }
    limits.countRequest(countedAddress(req.ip)).then(
      () => next(),
      (error: unknown) => (error instanceof HttpException ? sendHttpException(res, error) : next(error)),
    );
  };
}

function presentsExemptBearer(req: Request, exemptHash: Buffer | undefined): boolean {
  const presented = exemptHash && bearerToken(req);
  if (!exemptHash || presented === undefined) return false;
  return timingSafeEqual(createHash('sha256').update(presented).digest(), exemptHash);
}
