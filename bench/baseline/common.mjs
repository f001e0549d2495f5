// What both baseline processes share: the bare minimum around the same
// statements, Redis commands and hops as the services, with no framework.
// Kept for the benchmark's comparison only; the product never imports it.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

/** rate-limiter-flexible's script, so Redis does the same work per count. */
const INCR_TTL = `redis.call('set', KEYS[1], 0, 'EX', ARGV[2], 'NX') \
local consumed = redis.call('incrby', KEYS[1], ARGV[1]) \
local ttl = redis.call('pttl', KEYS[1]) \
if ttl == -1 then \
  redis.call('expire', KEYS[1], ARGV[2]) \
  ttl = 1000 * ARGV[2] \
end \
return {consumed, ttl}`;

const POINTS = 9999999;
const WINDOW_SECONDS = 60;

export const sha256 = (value) => createHash('sha256').update(value).digest();
const counterKey = (key) => createHash('sha256').update(key).digest('base64url').slice(0, 32);

/** The same counting as the services' RateLimits with Redis: a read of the counters (when several), then a count. */
export function redisLimits(service) {
  const url = process.env.REDIS_URL;
  if (!url) return { ceiling: async () => {}, take: async () => [], refund: async () => {}, close: () => {} };
  const redis = new Redis(url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  redis.defineCommand('incrTtl', { numberOfKeys: 1, lua: INCR_TTL });
  const prefix = `${process.env.REDIS_KEY_PREFIX}:${service}`;
  const count = (name, key, points = 1) =>
    redis.incrTtl(`${prefix}:${name}:${key}`, points, WINDOW_SECONDS, POINTS, WINDOW_SECONDS);
  return {
    ceiling: (address) => count('requestsPerAddress', counterKey(address)),
    async take(hits) {
      const keys = hits.map(([name, key]) => [name, counterKey(key)]);
      // As the services: the counters are read first only when there are several.
      if (keys.length > 1) {
        await Promise.all(
          keys.map(([name, key]) =>
            redis.multi().get(`${prefix}:${name}:${key}`).pttl(`${prefix}:${name}:${key}`).exec(),
          ),
        );
      }
      await Promise.all(keys.map(([name, key]) => count(name, key)));
      return keys;
    },
    refund: (keys) => Promise.all(keys.map(([name, key]) => count(name, key, -1))),
    close: () => redis.disconnect(),
  };
}

/** A pool the size of the services' (node-postgres' default under TypeORM). */
export const database = () => new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

/** `work(client)` between START TRANSACTION and COMMIT (ROLLBACK if it throws), on one client of `db`. */
export async function transaction(db, work) {
  const client = await db.connect();
  try {
    await client.query('START TRANSACTION');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

export async function readJson(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export function send(response, status, body) {
  if (body === undefined) return response.writeHead(status).end();
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}

export function bearer(request) {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

/** The services' event insert, as recorded on every fetch and login. */
export const INSERT_EVENT = `INSERT INTO events (user_id, type, client_address, user_agent, created_at) VALUES ($1, $2, $3, $4, clock_timestamp())`;
