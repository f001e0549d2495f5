import { Module } from '@nestjs/common';
import { PublicKeysModule } from '../public-keys/public-keys.module.js';
import { AccessTokensController } from './access-tokens.controller.js';
import { AccessTokensService } from './access-tokens.service.js';
import { KeyserverApiKeyGuard } from './keyserver-api-key.guard.js';

@Module({
  imports: [PublicKeysModule],
  controllers: [AccessTokensController],
  providers: [AccessTokensService, KeyserverApiKeyGuard],
})
export class AccessTokensModule {}
