import { DynamicModule, Module } from '@nestjs/common';
import {
  configModuleFor,
  DatabaseModule,
  EventsModule,
  HealthModule,
  HttpPlatformModule,
  MetricsModule,
  RateLimitsModule,
} from '@app/platform';
import { loadKeyserverConfig } from './core/keyserver-config.js';
import { ServerReachabilityIndicator } from './core/server-reachability.indicator.js';
import { KeysModule } from './keys/keys.module.js';
import { keyserverMigrations } from './migrations/index.js';

@Module({})
export class KeyserverModule {
  /** The keyserver, configured from `env` (process.env in main.ts, a fixture in tests). */
  static forRoot(env: Record<string, string | undefined>): DynamicModule {
    const config = loadKeyserverConfig(env);
    return {
      module: KeyserverModule,
      imports: [
        configModuleFor(config),
        DatabaseModule.forRoot({ migrations: keyserverMigrations }),
        HttpPlatformModule,
        MetricsModule,
        RateLimitsModule,
        EventsModule,
        HealthModule.forRoot({ readinessIndicators: [ServerReachabilityIndicator] }),
        KeysModule,
      ],
    };
  }
}
