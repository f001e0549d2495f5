import { DynamicModule, Module, type Type } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseIndicator } from './database.indicator.js';
import { HealthController } from './health.controller.js';
import { Readiness } from './readiness.js';
import { READINESS_INDICATORS, type ReadinessIndicator } from './readiness-indicator.js';

export interface HealthModuleOptions {
  /** What else the app needs to serve, checked after the database (e.g. the keyserver's server). */
  readinessIndicators?: Array<Type<ReadinessIndicator>>;
}

/** GET /health/live and /health/ready; `Readiness` is global, for whatever handles SIGTERM. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    const extra = options.readinessIndicators ?? [];
    return {
      module: HealthModule,
      global: true,
      // Each indicator logs why it failed; terminus's own log would repeat it on every probe.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        Readiness,
        DatabaseIndicator,
        ...extra,
        {
          provide: READINESS_INDICATORS,
          inject: [DatabaseIndicator, ...extra],
          useFactory: (...indicators: ReadinessIndicator[]) => indicators,
        },
      ],
      exports: [Readiness],
    };
  }
}
