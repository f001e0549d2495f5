import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/** A failed readiness check: the usual 503 error body, plus each check's result. */
export class HealthCheckFailedException extends ServiceUnavailableException {
  constructor(
    message: string,
    readonly checks: HealthIndicatorResult,
  ) {
    super(message);
  }
}
