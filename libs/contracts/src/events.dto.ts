import { ApiProperty } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsEventsCursor } from './events-cursor.js';

/** What the server records in a user's log (GET /api/user/events). */
export const SERVER_EVENT_TYPES = [
  'registered',
  'login.succeeded',
  'login.failed',
  'session.secured',
  'session.ended',
  'public-key.put',
  'key.confirmed',
  'key-change.committed',
  'key-change.abandoned',
  'secret.created',
  'secret.member-added',
  'secret.member-removed',
  'secret.left',
  'secret.rotated',
  'secret.deleted',
  'secret.role-changed',
] as const;

/** What the keyserver records in a user's log (GET /api/keys/{userId}/events). */
export const KEYSERVER_EVENT_TYPES = [
  'key.stored',
  'key.fetched',
  'key.fetch-refused',
  'key-change.staged',
  'key-change.applied',
  'key-change.abandoned',
] as const;

export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];
export type KeyserverEventType = (typeof KEYSERVER_EVENT_TYPES)[number];

/** One thing that happened to the account; never a token, secret or blob. */
export class EventDto {
  /**
   * What happened, in the protocol's words (`key.stored`, `login.failed`, ...).
   * @example key.fetched
   */
  type: string;

  /**
   * When, ISO 8601 UTC.
   * @example 2026-12-02T14:00:00.000Z
   */
  createdAt: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The client’s address as the service saw it (behind TRUST_PROXY, the forwarded one); null when unknown',
    example: '203.0.113.7',
  })
  clientAddress: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: 256,
    description: 'The client’s User-Agent header, cut to 256 characters; null when it sent none',
    example: 'keyexchange-client/1.0',
  })
  userAgent: string | null;
}

/** One page of a user's events, newest first. */
export class EventsPageDto {
  /**
   * At most 50, newest first.
   * @example [{"type":"key.fetched","createdAt":"2026-12-02T14:00:00.000Z","clientAddress":"203.0.113.7","userAgent":"keyexchange-client/1.0"}]
   */
  items: EventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `?cursor=` for the next (older) page; null on the last page',
    example: 'MjAyNi0xMi0wMlQxNDowMDowMC4xMjM0NTZaXzNmMWM2YTUyLThmNTctNGE0ZS05YTQzLTZkMWMwZjBlOWI3YQ',
  })
  nextCursor: string | null;
}

/** `?cursor=` of a list of events. */
export class ListEventsQueryDto {
  /**
   * The `nextCursor` of the previous page; omit for the newest events.
   * @example MjAyNi0xMi0wMlQxNDowMDowMC4xMjM0NTZaXzNmMWM2YTUyLThmNTctNGE0ZS05YTQzLTZkMWMwZjBlOWI3YQ
   */
  @IsOptional()
  @IsEventsCursor()
  cursor?: string;
}
