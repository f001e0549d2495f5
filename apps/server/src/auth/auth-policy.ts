import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiNoSecurity } from '@app/platform';

/**
 * Every route states who may call it; the global SessionGuard treats a route
 * without a policy as needing a session, and a test fails on any such route.
 */
export type AuthPolicy = 'public' | 'session' | 'secured-session' | 'keyserver';
export const AUTH_POLICY = 'keyexchange:auth-policy';

export const SESSION_SECURITY = 'session';

/** Open to anyone on purpose. */
export const Public = () => applyDecorators(SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy), ApiNoSecurity());

/** Needs `Authorization: Bearer <sessionToken>`; `secured` also needs an answered session challenge. */
export const Authenticated = (options: { secured?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, (options.secured ? 'secured-session' : 'session') satisfies AuthPolicy),
    ApiBearerAuth(SESSION_SECURITY),
  );
