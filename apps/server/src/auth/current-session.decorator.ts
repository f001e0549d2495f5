import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The session a request authenticated with, as the SessionGuard found it. */
export interface AuthenticatedSession {
  sessionId: string;
  userId: string;
  secured: boolean;
}

const SESSION_KEY = Symbol('keyexchange:session');

export function attachSession(request: Request, session: AuthenticatedSession): void {
  (request as Request & { [SESSION_KEY]?: AuthenticatedSession })[SESSION_KEY] = session;
}

export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedSession => {
    const request = context.switchToHttp().getRequest<Request & { [SESSION_KEY]?: AuthenticatedSession }>();
    const session = request[SESSION_KEY];
    // Only reachable if a route reads the session without requiring one.
    if (!session) throw new Error('@CurrentSession() used on a route without a session policy');
    return session;
  },
);
