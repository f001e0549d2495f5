import { Global, Module } from '@nestjs/common';
import { RateLimits } from './rate-limits.service.js';

/** The rate-limit counters, for every module of a service (import after DatabaseModule). */
@Global()
@Module({ providers: [RateLimits], exports: [RateLimits] })
export class RateLimitsModule {}
