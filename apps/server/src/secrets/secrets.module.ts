import { Module } from '@nestjs/common';
import { LargeJsonBodies } from '@app/platform';
import { secretBodies } from './secret-bodies.js';
import { SecretsController } from './secrets.controller.js';
import { SecretsRepository } from './secrets.repository.js';
import { SecretsService } from './secrets.service.js';

@Module({
  controllers: [SecretsController],
  providers: [SecretsService, SecretsRepository, { provide: LargeJsonBodies, useValue: secretBodies }],
  exports: [SecretsService],
})
export class SecretsModule {}
