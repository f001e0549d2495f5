import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PublicKeysModule } from '../public-keys/public-keys.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { KeyChangesController } from './key-changes.controller.js';
import { KeyChangesRepository } from './key-changes.repository.js';
import { KeyChangesService } from './key-changes.service.js';

@Module({
  imports: [AuthModule, PublicKeysModule, SessionsModule],
  controllers: [KeyChangesController],
  providers: [KeyChangesService, KeyChangesRepository],
  exports: [KeyChangesService, KeyChangesRepository],
})
export class KeyChangesModule {}
