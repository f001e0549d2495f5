import { Injectable, NotFoundException } from '@nestjs/common';
import { EventsRepository, type RequestOrigin } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { UsersRepository } from '../auth/users.repository.js';
import { serverEvent } from '../events/server-events.js';
import type { SessionsResponseDto } from './dto/session.dto.js';

@Injectable()
export class SessionsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: EventsRepository,
  ) {}

  async listSessions(session: AuthenticatedSession): Promise<SessionsResponseDto> {
    const rows = await this.users.listSessions(session.userId);
    return {
      items: rows.map((row) => ({
        id: row.id,
        createdAt: row.created_at.toISOString(),
        lastUsedAt: row.last_used_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        secured: row.secured,
        clientAddress: row.client_address,
        userAgent: row.user_agent,
        current: row.id === session.sessionId,
      })),
    };
  }

  /** Another user's session and an unknown id get the same 404: ids tell nothing. */
  async endSession(session: AuthenticatedSession, sessionId: string, origin: RequestOrigin): Promise<void> {
    const ended = await this.users.transaction(async (tx) => {
      if (!(await this.users.endSession(session.userId, sessionId, tx))) return false;
      await this.events.record(serverEvent(session.userId, 'session.ended', origin), tx);
      return true;
    });
    if (!ended) throw new NotFoundException('You have no session with this id');
  }

  endOtherSessions(session: AuthenticatedSession, origin: RequestOrigin): Promise<void> {
    return this.users.transaction((tx) => this.endOtherSessionsIn(tx, session, origin));
  }

  /** Ends every session of the user but this one in the caller's transaction (a password change's too); one `session.ended` each. */
  async endOtherSessionsIn(tx: EntityManager, session: AuthenticatedSession, origin: RequestOrigin): Promise<void> {
    const ended = await this.users.endOtherSessions(session.userId, session.sessionId, tx);
    for (let i = 0; i < ended; i += 1)
      await this.events.record(serverEvent(session.userId, 'session.ended', origin), tx);
  }
}
