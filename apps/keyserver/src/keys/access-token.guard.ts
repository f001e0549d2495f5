import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiNoSecurity, bearerToken } from '@app/platform';
import type { Request } from 'express';

/** Every route states who may call it; a test fails on any route that does not. */
export const AUTH_POLICY = 'keyexchange:auth-policy';
export type AuthPolicy = 'public' | 'access-token';
export const ACCESS_TOKEN_SECURITY = 'access-token';

/** Open to anyone on purpose (every other route needs an access token). */
export const Public = () => applyDecorators(SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy), ApiNoSecurity());

/** Needs `Authorization: Bearer <accessToken>` for the `userId` in the path. */
export const RequiresAccessToken = () =>
  applyDecorators(SetMetadata(AUTH_POLICY, 'access-token' satisfies AuthPolicy), ApiBearerAuth(ACCESS_TOKEN_SECURITY));

/**
 * Global guard, deny by default: a request without an access token goes no
 * further. The token is not spent here: guards run before the path and body
 * are validated, and a request answered 400 must not cost the client its
 * one-time token. KeysService redeems it with the server once the request is
 * known to be well-formed.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (policy === 'public') return true;
    if (!bearerToken(context.switchToHttp().getRequest<Request>())) {
      throw new UnauthorizedException('An access token is required: Authorization: Bearer <accessToken>');
    }
    return true;
  }
}

/** The bearer access token the guard has required. */
export const AccessToken = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const token = bearerToken(context.switchToHttp().getRequest<Request>());
  if (!token) throw new Error('@AccessToken() used on a public route');
  return token;
});
