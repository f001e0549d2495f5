import { Module } from '@nestjs/common';
import { PublicKeysController } from './public-keys.controller.js';
import { PublicKeysService } from './public-keys.service.js';

@Module({
  controllers: [PublicKeysController],
  providers: [PublicKeysService],
  exports: [PublicKeysService],
})
export class PublicKeysModule {}
