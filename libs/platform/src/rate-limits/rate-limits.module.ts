import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RateLimits } from './rate-limits.service.js';

/** The rate-limit counters, for every module of a service (import after DatabaseModule). */
@Global()
@Module({ imports: [MetricsModule], providers: [RateLimits], exports: [RateLimits] })
export class RateLimitsModule {}
