import type { HealthIndicatorResult } from '@nestjs/terminus';

/** One dependency the service cannot serve without; GET /health/ready runs every one. */
export interface ReadinessIndicator {
  check(): PromiseLike<HealthIndicatorResult>;
}

/** Every ReadinessIndicator of the app: the database's, then the app's own (HealthModule.forRoot). */
export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');
