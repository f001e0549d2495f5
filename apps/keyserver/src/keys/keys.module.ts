import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { storageSealerProvider } from '@app/platform';
import { AccessTokenGuard } from './access-token.guard.js';
import { AppliedKeyChangesPruner } from './applied-key-changes.pruner.js';
import { KeysController } from './keys.controller.js';
import { KeysRepository } from './keys.repository.js';
import { KeysService } from './keys.service.js';
import { ServerClient } from './server-client.js';

@Module({
  controllers: [KeysController],
  providers: [
    KeysService,
    KeysRepository,
    AppliedKeyChangesPruner,
    ServerClient,
    storageSealerProvider('storageKeys'),
    { provide: APP_GUARD, useClass: AccessTokenGuard },
  ],
})
export class KeysModule {}
