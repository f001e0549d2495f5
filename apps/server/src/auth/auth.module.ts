import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { storageSealerProvider } from '@app/platform';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { DeviceTokens } from './device-tokens.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionGuard } from './session.guard.js';
import { UsersRepository } from './users.repository.js';
import { SecretsModule } from '../secrets/secrets.module.js';

@Module({
  // A deleted account leaves its secrets first.
  imports: [SecretsModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    PasswordHasher,
    DeviceTokens,
    UsersRepository,
    storageSealerProvider('verifierKeys'),
    { provide: APP_GUARD, useClass: SessionGuard },
  ],
  exports: [AuthService, UsersRepository],
})
export class AuthModule {}
