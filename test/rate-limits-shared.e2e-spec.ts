import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startServer, type RunningApp } from './support/apps.js';
import { onPostgres } from './support/database.js';
import { randomPassword, uniqueEmail } from './support/users.js';
import { stringMatching } from './support/matchers.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** The Redis the Postgres suite runs against (the machine's, or CI's). */
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Three failed logins per email and address, whichever instance answers. */
const LIMITS = { RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '3/15m' };

const wrongLogin = (app: RunningApp, email: string) =>
  app.http().post('/api/auth/login').send({ email, password: randomPassword() });

/** Two instances count one email's failures together: 2 on one, 1 on the other, then both refuse. */
async function expectSharedLimit(first: RunningApp, second: RunningApp): Promise<void> {
  // Unknown on both instances' databases: counted exactly like a known email.
  const email = uniqueEmail('shared');
  expect((await wrongLogin(first, email)).status).toBe(401);
  expect((await wrongLogin(first, email)).status).toBe(401);
  expect((await wrongLogin(second, email)).status).toBe(401);
  for (const app of [first, second]) {
    const response = await wrongLogin(app, email);
    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(840);
  }
}

describe.skipIf(!onPostgres)('rate limits shared by instances (test:pg: PostgreSQL and Redis)', () => {
  // Keys of this run only, removed afterwards; the machine's Redis may serve others.
  const prefix = `kxtest-${randomBytes(6).toString('hex')}`;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  const apps: RunningApp[] = [];
  const relays: TcpProxy[] = [];
  beforeAll(() => redis.connect());
  afterAll(async () => {
    await closeAll(...apps.reverse());
    for (const relay of relays) await relay.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('holds one limit across two instances through Redis (each on its own database)', async () => {
    const env = { ...LIMITS, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix };
    const first = await startServer(env);
    apps.push(first);
    const second = await startServer(env);
    apps.push(second);
    expect(second.databaseUrl).not.toBe(first.databaseUrl);
    await expectSharedLimit(first, second);
    // The counters are in Redis, under their prefix, and name no email or address.
    const keys = await redis.keys(`${prefix}:server:loginPerEmailAndAddress:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toMatch(/@|127\.0\.0\.1/);
  });

  it('holds one limit across two instances through their shared database, without Redis', async () => {
    const first = await startServer(LIMITS);
    apps.push(first);
    const second = await startServer({ ...LIMITS, DATABASE_URL: first.databaseUrl! });
    apps.push(second);
    await expectSharedLimit(first, second);
  });

  it('answers 503 with Retry-After while Redis is away, never an open door, and counts again once it is back', async () => {
    const target = new URL(redisUrl);
    const relay = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    relays.push(relay);
    const server = await startServer({ ...LIMITS, REDIS_URL: relay.route(redisUrl), REDIS_KEY_PREFIX: prefix });
    apps.push(server);
    const email = uniqueEmail('outage');
    expect((await wrongLogin(server, email)).status).toBe(401);

    // Redis stopping, as the service sees it: every connection reset, new ones refused.
    relay.setMode('drop');
    for (let i = 0; i < 5; i += 1) {
      const response = await wrongLogin(server, email);
      expect(response.status).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: stringMatching(/rate limits/i),
      });
    }

    relay.setMode('pass');
    // ioredis reconnects on its own; the count picks up where it was (1 of 3), the outage counted nothing.
    await expect
      .poll(async () => (await server.http().get('/api/user/me')).status, { timeout: 10_000, interval: 200 })
      .toBe(401);
    expect((await wrongLogin(server, email)).status).toBe(401);
    expect((await wrongLogin(server, email)).status).toBe(401);
    expect((await wrongLogin(server, email)).status).toBe(429);
  });
});
