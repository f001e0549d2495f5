import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { bearerToken } from '@app/platform';
import type { Request } from 'express';
import { AUTH_POLICY, type AuthPolicy } from './auth-policy.js';
import { AuthService } from './auth.service.js';
import { attachSession } from './current-session.decorator.js';

/** Global guard: deny by default, so a route needs a session unless it says otherwise. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    // The keyserver's route carries its own guard for the API key.
    if (policy === 'public' || policy === 'keyserver') return true;

    const request = context.switchToHttp().getRequest<Request>();
    const session = await this.auth.authenticate(bearerToken(request));
    if (!session) {
      throw new UnauthorizedException('A valid session token is required: Authorization: Bearer <sessionToken>');
    }
    if (policy === 'secured-session' && !session.secured) {
      throw new ForbiddenException('This session is not secured: answer a session challenge first');
    }
    attachSession(request, session);
    return true;
  }
}
