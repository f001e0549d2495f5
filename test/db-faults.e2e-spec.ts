import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { bodyOf } from './support/body.js';
import { createKeyPair, getAccessToken } from './support/client.js';
import { stringMatching } from './support/matchers.js';
import { createTestDatabase, onPostgres, type Service } from './support/database.js';
import { Scratch, type ServiceProcess } from './support/processes.js';
import { TcpProxy, type ProxyMode } from './support/tcp-proxy.js';
import { bearer, registerAndLogin, type TestUser } from './support/users.js';

/** Short, so a stalled database shows in seconds; every answer must come within it plus one second. */
const DB_QUERY_TIMEOUT_MS = 1000;
const RECOVERY_MS = 5000;
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Keys of this file only, removed afterwards; the machine's Redis may serve others.
const redisPrefix = `kxtest-${randomBytes(6).toString('hex')}`;

const scratch = new Scratch();
afterAll(async () => {
  await scratch.cleanUp();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${redisPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/**
 * Each service's database goes away and comes back, with a TCP proxy between
 * the service process and PostgreSQL: the service answers 503 while it is
 * gone, within the query timeout, and answers correctly again within 5 s
 * after it is back, without a restart.
 */
describe.runIf(onPostgres).each<{ limits: string; env: Record<string, string> }>([
  { limits: 'in the database', env: {} },
  // Counting elsewhere, so the first statement to fail is the request's own.
  { limits: 'in Redis', env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: redisPrefix } },
])('a database that goes away and comes back (rate limits $limits)', ({ env }) => {
  const proxies = {} as Record<Service, TcpProxy>;
  let server: ServiceProcess;
  let keyserver: ServiceProcess;
  let user: TestUser;

  beforeAll(async () => {
    const urls = {} as Record<Service, string>;
    for (const service of ['server', 'keyserver'] as const) {
      const database = await createTestDatabase(service);
      scratch.onCleanUp(database.drop);
      const target = new URL(database.url);
      proxies[service] = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
      scratch.onCleanUp(() => proxies[service].close());
      urls[service] = proxies[service].route(database.url);
    }
    const settings = { ...env, DB_QUERY_TIMEOUT_MS: String(DB_QUERY_TIMEOUT_MS) };
    server = await scratch.start('server', { ...settings, DATABASE_URL: urls.server });
    keyserver = await scratch.start('keyserver', { ...settings, DATABASE_URL: urls.keyserver, SERVER_URL: server.url });
    user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
  });

  /** What a client does on every login: an access token, then the key. */
  async function fetchKey() {
    const token = await server.http().post('/api/user/access-token').set(bearer(user.sessionToken));
    if (token.status !== 201) return token;
    return keyserver
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(bodyOf<ServerApi.AccessTokenResponse>(token).accessToken));
  }

  /** One request that needs the service's database: an access token, or the key with a fresh one. */
  async function timedRequestTo(service: Service) {
    const token = service === 'keyserver' ? await getAccessToken(server, user) : undefined;
    const began = performance.now();
    const response = token
      ? await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(token))
      : await server.http().post('/api/user/access-token').set(bearer(user.sessionToken));
    return { response, ms: performance.now() - began };
  }

  for (const service of ['server', 'keyserver'] as const) {
    for (const mode of ['drop', 'stall'] as const satisfies ProxyMode[]) {
      it(`${service}: its database ${mode === 'drop' ? 'refuses and resets connections' : 'stalls'}`, async () => {
        const affected = service === 'server' ? server : keyserver;
        expect((await fetchKey()).status).toBe(200);
        const pid = affected.child.pid;

        proxies[service].setMode(mode);
        try {
          for (let i = 0; i < 3; i += 1) {
            const { response, ms } = await timedRequestTo(service);
            expect(response.status, response.text).toBe(503);
            expect(response.body).toEqual({
              statusCode: 503,
              error: 'Service Unavailable',
              message: stringMatching(/try again shortly/),
            });
            expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
            expect(ms).toBeLessThan(DB_QUERY_TIMEOUT_MS + 1000);
          }
          const began = performance.now();
          const ready = await affected.http().get('/health/ready');
          expect(ready.status).toBe(503);
          expect(performance.now() - began).toBeLessThan(DB_QUERY_TIMEOUT_MS + 1000);
          expect((await affected.http().get('/health/live')).status).toBe(200);
        } finally {
          proxies[service].setMode('pass');
        }

        const back = performance.now();
        let answer = await fetchKey();
        while (answer.status !== 200 && performance.now() - back < RECOVERY_MS + 2000) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          answer = await fetchKey();
        }
        expect(answer.status, answer.text).toBe(200);
        expect(performance.now() - back).toBeLessThan(RECOVERY_MS);
        expect((await affected.http().get('/health/ready')).status).toBe(200);
        // The same process throughout: it recovered by itself.
        expect(affected.child.pid).toBe(pid);
        expect(affected.child.exitCode).toBeNull();
      });
    }
  }
});
