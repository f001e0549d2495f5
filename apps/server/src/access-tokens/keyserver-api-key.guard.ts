import {
  applyDecorators,
  CanActivate,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth } from '@nestjs/swagger';
import { bearerToken } from '@app/platform';
import type { Request } from 'express';
import { AUTH_POLICY, type AuthPolicy } from '../auth/auth-policy.js';
import type { ServerConfig } from '../core/server-config.js';
import { equalHashes, hashSecret } from '../core/secrets.js';

export const KEYSERVER_SECURITY = 'keyserver-api-key';

/** Admits only the keyserver, by the API key both services are configured with. */
@Injectable()
export class KeyserverApiKeyGuard implements CanActivate {
  private readonly expectedHash: Buffer;

  constructor(config: ConfigService<ServerConfig, true>) {
    this.expectedHash = config.get('keyserverApiKeyHash', { infer: true });
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = bearerToken(context.switchToHttp().getRequest<Request>());
    // Hashing first makes the comparison constant-time whatever the length.
    if (presented === undefined || !equalHashes(hashSecret(presented), this.expectedHash)) {
      throw new UnauthorizedException('This endpoint is for the keyserver: Authorization: Bearer <keyserver API key>');
    }
    return true;
  }
}

/** For routes only the keyserver may call. */
export const KeyserverOnly = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, 'keyserver' satisfies AuthPolicy),
    UseGuards(KeyserverApiKeyGuard),
    ApiBearerAuth(KEYSERVER_SECURITY),
  );
