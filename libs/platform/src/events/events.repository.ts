import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  decodeEventsCursor,
  encodeEventsCursor,
  EVENTS_CURSOR_MESSAGE,
  type EventDto,
  type EventsPageDto,
} from '@app/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { pruneInBatches, type PruneReport } from '../database/prune-in-batches.js';
import { truncateUserAgent } from './request-origin.js';

/** Events a page lists. */
export const EVENTS_PAGE_SIZE = 50;

/** One event to record; `type` in the protocol's words, never a token, secret or blob. */
export interface NewEvent {
  userId: string;
  type: string;
  clientAddress?: string | null;
  userAgent?: string | null;
}

interface EventRow {
  id: string;
  type: string;
  created_at: Date;
  /** created_at to the microsecond, for the cursor: a Date keeps milliseconds only. */
  position: string;
  client_address: string | null;
  user_agent: string | null;
}

/** The SQL of the events aggregate: each user's log, on either service. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Appends one event; inside `tx` when it must commit or roll back with what it records. */
  async record(event: NewEvent, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db.manager).query(
      // The statement's time, not the transaction's (now()): events written together keep their order.
      `INSERT INTO events (user_id, type, client_address, user_agent, created_at) VALUES ($1, $2, $3, $4, clock_timestamp())`,
      // Cut again: a caller may not have read it through RequestOrigin.
      [event.userId, event.type, event.clientAddress ?? null, truncateUserAgent(event.userAgent)],
    );
  }

  /**
   * The user's events, newest first, EVENTS_PAGE_SIZE a page; `cursor` is the
   * previous page's `nextCursor` (keyset on created_at, id: stable while new
   * events arrive). A malformed cursor is a 400.
   */
  async list(userId: string, cursor?: string): Promise<EventsPageDto> {
    const after = cursor === undefined ? undefined : decodeEventsCursor(cursor);
    if (cursor !== undefined && !after) throw new BadRequestException(EVENTS_CURSOR_MESSAGE);
    const rows = await this.db.query<EventRow[]>(
      `SELECT id, type, created_at, client_address, user_agent,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
         FROM events
        WHERE user_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT ${EVENTS_PAGE_SIZE + 1}`,
      [userId, after?.createdAt ?? null, after?.id ?? null],
    );
    const page = rows.slice(0, EVENTS_PAGE_SIZE);
    const last = page.at(-1);
    return {
      items: page.map(toEvent),
      nextCursor:
        rows.length > EVENTS_PAGE_SIZE && last ? encodeEventsCursor({ createdAt: last.position, id: last.id }) : null,
    };
  }

  /** Forgets every event of a user (the account is deleted). */
  async deleteUser(userId: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db.manager).query(`DELETE FROM events WHERE user_id = $1`, [userId]);
  }

  /** Deletes events older than `days` days, in batches. */
  pruneOlderThan(days: number, batchSize: number): Promise<PruneReport> {
    return pruneInBatches(this.db, 'events', 'created_at < now() - make_interval(days => $1::int)', [days], batchSize);
  }
}

function toEvent(row: EventRow): EventDto {
  return {
    type: row.type,
    createdAt: row.created_at.toISOString(),
    clientAddress: row.client_address,
    userAgent: row.user_agent,
  };
}
