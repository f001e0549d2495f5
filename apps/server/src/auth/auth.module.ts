import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { StorageSealer } from '@app/platform';
import type { ServerConfig } from '../core/server-config.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionGuard } from './session.guard.js';

@Module({
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordHasher,
    {
      provide: StorageSealer,
      inject: [ConfigService],
      useFactory: (config: ConfigService<ServerConfig, true>) => new StorageSealer(config.get('verifierKeys', { infer: true })),
    },
    { provide: APP_GUARD, useClass: SessionGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
