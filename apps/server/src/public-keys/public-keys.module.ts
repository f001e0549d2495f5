import { Module } from '@nestjs/common';
import { PublicKeysController } from './public-keys.controller.js';
import { PublicKeysRepository } from './public-keys.repository.js';
import { PublicKeysService } from './public-keys.service.js';

@Module({
  controllers: [PublicKeysController],
  providers: [PublicKeysService, PublicKeysRepository],
  exports: [PublicKeysService, PublicKeysRepository],
})
export class PublicKeysModule {}
