import { describe, expect, it } from 'vitest';
import { decodeEventsCursor, encodeEventsCursor } from './events-cursor.js';

const POSITION = { createdAt: '2026-12-02T14:00:00.123456Z', id: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a' };
const raw = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

describe('events cursor', () => {
  it('round-trips a position, microseconds included, as opaque base64url', () => {
    const cursor = encodeEventsCursor(POSITION);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeEventsCursor(cursor)).toEqual(POSITION);
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['no id', raw('2026-12-02T14:00:00.123456Z')],
    ['milliseconds only', raw(`2026-12-02T14:00:00.123Z_${POSITION.id}`)],
    ['an impossible date', raw(`2026-13-02T14:00:00.123456Z_${POSITION.id}`)],
    ['February 30th', raw(`2026-02-30T14:00:00.123456Z_${POSITION.id}`)],
    ['an upper-case id', raw(`${POSITION.createdAt}_${POSITION.id.toUpperCase()}`)],
    ['an id that is not a UUID', raw(`${POSITION.createdAt}_1; DROP TABLE events`)],
    ['a third part', raw(`${POSITION.createdAt}_${POSITION.id}_x`)],
    ['too long', 'A'.repeat(200)],
  ])('refuses %s', (_case, value) => {
    expect(decodeEventsCursor(value)).toBeUndefined();
  });
});
