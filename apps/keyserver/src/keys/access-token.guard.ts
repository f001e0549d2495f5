import {
  applyDecorators,
  BadRequestException,
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { base64UrlByteLength, type ValidateUserResponseDto } from '@app/contracts';
import { bearerToken } from '@app/platform';
import { isUUID } from 'class-validator';
import type { Request } from 'express';
import { ServerClient } from './server-client.js';

/** Every route states who may call it; a test fails on any route that does not. */
export const AUTH_POLICY = 'keyexchange:auth-policy';
export type AuthPolicy = 'public' | 'access-token';
const VALIDATED_USER = Symbol('keyexchange:validated-user');
export const ACCESS_TOKEN_SECURITY = 'access-token';

type ValidatedRequest = Request & { [VALIDATED_USER]?: ValidateUserResponseDto };

/** Open to anyone on purpose (every other route needs an access token). */
export const Public = () => SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy);

/** Needs `Authorization: Bearer <accessToken>` for the `userId` in the path. */
export const RequiresAccessToken = () =>
  applyDecorators(SetMetadata(AUTH_POLICY, 'access-token' satisfies AuthPolicy), ApiBearerAuth(ACCESS_TOKEN_SECURITY));

/**
 * Global guard: every request's one-time access token is validated (and so
 * spent) by the server before the handler runs; the handler then acts on the
 * user the server named, never on the path alone.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly server: ServerClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (policy === 'public') return true;
    const request = context.switchToHttp().getRequest<ValidatedRequest>();
    const accessToken = bearerToken(request);
    if (!accessToken) {
      throw new UnauthorizedException('An access token is required: Authorization: Bearer <accessToken>');
    }
    const userId = request.params.userId;
    if (typeof userId !== 'string' || !isUUID(userId)) {
      throw new BadRequestException('userId must be a UUID');
    }
    // Not a token the server could have issued: refused without a round trip.
    if (base64UrlByteLength(accessToken) !== 32) throw rejected();

    const validation = await this.server.validateUser({ userId, accessToken });
    if (validation.outcome === 'unavailable') {
      throw new ServiceUnavailableException('The server could not validate the access token; try again shortly');
    }
    if (validation.outcome === 'rejected') throw rejected();
    request[VALIDATED_USER] = validation.user;
    return true;
  }
}

function rejected(): ForbiddenException {
  return new ForbiddenException('The access token was rejected: unknown, expired, already used, or for another user');
}

/** The user the server vouched for, with whether their key is confirmed. */
export const ValidatedUser = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const user = context.switchToHttp().getRequest<ValidatedRequest>()[VALIDATED_USER];
  if (!user) throw new Error('@ValidatedUser() used on a public route');
  return user;
});
