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
import { AccessTokensModule } from './access-tokens/access-tokens.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ExpiredRowsPurger } from './core/expired-rows.purger.js';
import { ServerEventsModule } from './events/events.module.js';
import { KeyChangesModule } from './key-changes/key-changes.module.js';
import { loadServerConfig } from './core/server-config.js';
import { serverMigrations } from './migrations/index.js';
import { PublicKeysModule } from './public-keys/public-keys.module.js';
import { SecretsModule } from './secrets/secrets.module.js';
import { SessionChallengeModule } from './session-challenge/session-challenge.module.js';
import { SessionsModule } from './sessions/sessions.module.js';

@Module({})
export class ServerModule {
  /** The server, configured from `env` (process.env in main.ts, a fixture in tests). */
  static forRoot(env: Record<string, string | undefined>): DynamicModule {
    const config = loadServerConfig(env);
    return {
      module: ServerModule,
      imports: [
        configModuleFor(config),
        DatabaseModule.forRoot({ migrations: serverMigrations }),
        HttpPlatformModule,
        MetricsModule,
        RateLimitsModule,
        EventsModule,
        HealthModule.forRoot(),
        AuthModule,
        PublicKeysModule,
        AccessTokensModule,
        SessionChallengeModule,
        SessionsModule,
        KeyChangesModule,
        SecretsModule,
        ServerEventsModule,
      ],
      providers: [ExpiredRowsPurger],
    };
  }
}
