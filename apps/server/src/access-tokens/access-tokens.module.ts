import { Module } from '@nestjs/common';
import { KeyChangesModule } from '../key-changes/key-changes.module.js';
import { AccessTokensController } from './access-tokens.controller.js';
import { AccessTokensRepository } from './access-tokens.repository.js';
import { AccessTokensService } from './access-tokens.service.js';
import { KeyserverApiKeyGuard } from './keyserver-api-key.guard.js';

@Module({
  imports: [KeyChangesModule],
  controllers: [AccessTokensController],
  providers: [AccessTokensService, AccessTokensRepository, KeyserverApiKeyGuard],
  exports: [AccessTokensRepository],
})
export class AccessTokensModule {}
