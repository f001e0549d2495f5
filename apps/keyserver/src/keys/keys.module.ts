import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { StorageSealer } from '@app/platform';
import type { KeyserverConfig } from '../core/keyserver-config.js';
import { AccessTokenGuard } from './access-token.guard.js';
import { KeysController } from './keys.controller.js';
import { KeysService } from './keys.service.js';
import { ServerClient } from './server-client.js';

@Module({
  controllers: [KeysController],
  providers: [
    KeysService,
    ServerClient,
    {
      provide: StorageSealer,
      inject: [ConfigService],
      useFactory: (config: ConfigService<KeyserverConfig, true>) => new StorageSealer(config.get('storageKeys', { infer: true })),
    },
    { provide: APP_GUARD, useClass: AccessTokenGuard },
  ],
})
export class KeysModule {}
