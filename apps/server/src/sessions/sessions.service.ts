import { Injectable, NotFoundException } from '@nestjs/common';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { UsersRepository } from '../auth/users.repository.js';
import type { SessionsResponseDto } from './dto/session.dto.js';

@Injectable()
export class SessionsService {
  constructor(private readonly users: UsersRepository) {}

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
  async endSession(session: AuthenticatedSession, sessionId: string): Promise<void> {
    if (!(await this.users.endSession(session.userId, sessionId))) throw new NotFoundException('You have no session with this id');
  }

  async endOtherSessions(session: AuthenticatedSession): Promise<void> {
    await this.users.endOtherSessions(session.userId, session.sessionId);
  }
}
