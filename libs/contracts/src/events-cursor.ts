import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Where a page of events ended: the last item's exact database time (microseconds) and id. */
export interface EventsCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`: PostgreSQL keeps microseconds, which a JS Date would lose. */
  createdAt: string;
  id: string;
}

const CREATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,128}$/;
export const EVENTS_CURSOR_MESSAGE = 'cursor must be the nextCursor of a previous page of events, unchanged';

/** The opaque `nextCursor` a client hands back as `?cursor=`. */
export function encodeEventsCursor(cursor: EventsCursor): string {
  return Buffer.from(`${cursor.createdAt}_${cursor.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined for anything `encodeEventsCursor` could not have produced. */
export function decodeEventsCursor(value: unknown): EventsCursor | undefined {
  if (typeof value !== 'string' || !BASE64URL.test(value)) return undefined;
  const [createdAt, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('_');
  if (rest.length > 0 || !CREATED_AT.test(createdAt ?? '') || !UUID.test(id ?? '')) return undefined;
  // A well-shaped but impossible date (month 13) would reach the database as a 500.
  const millis = `${createdAt.slice(0, 23)}Z`;
  const parsed = new Date(millis);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== millis) return undefined;
  // One spelling per cursor: re-encoding must give back the same string.
  if (encodeEventsCursor({ createdAt, id }) !== value) return undefined;
  return { createdAt, id };
}

/** A query parameter that must be a cursor from `encodeEventsCursor` (400 with EVENTS_CURSOR_MESSAGE otherwise). */
export function IsEventsCursor(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEventsCursor',
      validator: {
        validate: (value) => decodeEventsCursor(value) !== undefined,
        defaultMessage: () => EVENTS_CURSOR_MESSAGE,
      },
    },
    options,
  );
}
