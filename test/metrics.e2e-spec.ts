import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, freePort, startKeyserver, startServer, type RunningApp } from './support/apps.js';
import { createKeyPair, getAccessToken } from './support/client.js';
import { bearer, registerAndLogin } from './support/users.js';
import { anyString, stringContaining } from './support/matchers.js';
import { errorOf } from './support/body.js';

const METRICS_TOKEN = randomBytes(32).toString('base64url');
const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

/** The value of one series (`name` or `name{labels}` exactly as exposed), or undefined if it is absent. */
function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(app: RunningApp): Promise<string> {
  const response = await app.http().get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
  return response.text;
}

/** Whether anything still listens on the port (the metrics listener must close with its app). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(true))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

describe('GET /metrics', () => {
  describe('with neither METRICS_TOKEN nor METRICS_PORT', () => {
    let server: RunningApp;
    let keyserver: RunningApp;
    beforeAll(async () => {
      server = await startServer();
      keyserver = await startKeyserver(server.url);
    });
    afterAll(() => closeAll(keyserver, server));

    it.each(['server', 'keyserver'] as const)('is not there on the %s: 404, as any unknown route', async (which) => {
      const app = which === 'server' ? server : keyserver;
      const response = await app.http().get('/metrics').set(bearer(METRICS_TOKEN));
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /metrics' });
      const unknown = await app.http().get('/no-such-route');
      expect(Object.keys(errorOf(unknown)).sort()).toEqual(Object.keys(errorOf(response)).sort());
    });
  });

  describe('with METRICS_TOKEN', () => {
    let server: RunningApp;
    let keyserver: RunningApp;
    beforeAll(async () => {
      server = await startServer({ METRICS_TOKEN, RATE_LIMIT_CHALLENGES_PER_SESSION: '1/1h' });
      keyserver = await startKeyserver(server.url, { METRICS_TOKEN });
    });
    afterAll(() => closeAll(keyserver, server));

    it.each(['server', 'keyserver'] as const)(
      'on the %s, answers 401 without the token or with a wrong one',
      async (which) => {
        const app = which === 'server' ? server : keyserver;
        for (const request of [
          app.http().get('/metrics'),
          app
            .http()
            .get('/metrics')
            .set(bearer(randomBytes(32).toString('base64url'))),
          app
            .http()
            .get('/metrics')
            .set(bearer(`${METRICS_TOKEN}x`)),
          app.http().get('/metrics').set('Authorization', `Basic ${METRICS_TOKEN}`),
        ]) {
          const response = await request;
          expect(response.status).toBe(401);
          expect(response.body).toEqual({
            statusCode: 401,
            error: 'Unauthorized',
            message: stringContaining('METRICS_TOKEN'),
          });
          expect(response.headers['www-authenticate']).toBe('Bearer');
        }
      },
    );

    it.each(['server', 'keyserver'] as const)(
      'on the %s, answers the Prometheus text with the token',
      async (which) => {
        const response = await (which === 'server' ? server : keyserver)
          .http()
          .get('/metrics')
          .set(bearer(METRICS_TOKEN));
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toMatch(PROMETHEUS_TEXT);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.text).toMatch(/^# HELP /m);
        expect(sample(response.text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
        expect(sample(response.text, 'kx_db_pool_connections{state="total"}')).toBeGreaterThanOrEqual(1);
        expect(sample(response.text, 'kx_db_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(0);
        expect(sample(response.text, 'kx_db_pool_connections{state="waiting"}')).toBe(0);
      },
    );

    it('counts the protocol: tokens issued and spent, challenges, key reads, validations, unknown paths', async () => {
      const [serverBefore, keyserverBefore] = [await scrape(server), await scrape(keyserver)];
      expect(sample(serverBefore, 'kx_access_tokens_issued_total')).toBe(0);
      expect(sample(serverBefore, 'kx_access_tokens_spent_total')).toBe(0);

      const user = await registerAndLogin(server.http);
      await createKeyPair(server, keyserver, user);
      await keyserver
        .http()
        .get(`/api/keys/${user.userId}`)
        .set(bearer(await getAccessToken(server, user)))
        .expect(200);
      await keyserver.http().get('/no-such-route').expect(404);

      const serverAfter = await scrape(server);
      // One token for putPrivateKey, one for the read; the keyserver spent both.
      expect(sample(serverAfter, 'kx_access_tokens_issued_total')).toBe(2);
      expect(sample(serverAfter, 'kx_access_tokens_spent_total')).toBe(2);
      expect(sample(serverAfter, 'kx_session_challenges_total{result="issued"}')).toBe(1);
      expect(sample(serverAfter, 'kx_session_challenges_total{result="secured"}')).toBeGreaterThanOrEqual(1);
      expect(serverAfter).toMatch(
        /^http_request_duration_seconds_count\{method="POST",route="\/api\/user\/access-token",status_code="201"\} 2$/m,
      );

      const keyserverAfter = await scrape(keyserver);
      expect(sample(keyserverAfter, 'kx_validation_duration_seconds_count')).toBe(
        sample(keyserverBefore, 'kx_validation_duration_seconds_count')! + 2,
      );
      expect(keyserverAfter).toMatch(
        /^http_request_duration_seconds_count\{method="GET",route="\/api\/keys\/:userId",status_code="200"\} 1$/m,
      );
      expect(keyserverAfter).toMatch(
        /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+$/m,
      );
      // A label per route pattern, never per path: no user id in any series.
      expect(keyserverAfter).not.toContain(user.userId);
      // The keyserver counts no server metrics.
      expect(sample(keyserverAfter, 'kx_access_tokens_issued_total')).toBeUndefined();
    });

    it('counts a refusal under the name of the limit that refused', async () => {
      const user = await registerAndLogin(server.http);
      const ask = () => server.http().post('/api/user/session-challenge').set(bearer(user.sessionToken));
      // No public key: a 409, which the limit does not count.
      await ask().expect(409);
      await createKeyPair(server, keyserver, user);
      await ask().expect(429);
      expect(sample(await scrape(server), 'kx_rate_limit_refusals_total{limit="challengesPerSession"}')).toBe(1);
    });

    it('is not counted by the per-address ceiling', async () => {
      const ceiling = await startServer({ METRICS_TOKEN, RATE_LIMIT_REQUESTS_PER_ADDRESS: '3/1h' });
      try {
        for (let i = 0; i < 5; i++) await scrape(ceiling);
        await ceiling.http().get('/no-such-route').expect(404);
        await ceiling.http().get('/no-such-route').expect(404);
        await ceiling.http().get('/no-such-route').expect(404);
        await ceiling.http().get('/no-such-route').expect(429);
        expect(sample(await scrape(ceiling), 'kx_rate_limit_refusals_total{limit="requestsPerAddress"}')).toBe(1);
      } finally {
        await ceiling.close();
      }
    });
  });

  describe('with METRICS_PORT', () => {
    let server: RunningApp;
    let keyserver: RunningApp;
    let serverMetricsPort: number;
    let keyserverMetricsPort: number;
    const metricsUrl = (port: number, path = '/metrics') => `http://127.0.0.1:${port}${path}`;
    beforeAll(async () => {
      serverMetricsPort = await freePort();
      server = await startServer({ METRICS_TOKEN, METRICS_PORT: String(serverMetricsPort) });
      keyserverMetricsPort = await freePort();
      keyserver = await startKeyserver(server.url, { METRICS_PORT: String(keyserverMetricsPort) });
    });
    afterAll(() => closeAll(keyserver, server));

    it.each(['server', 'keyserver'] as const)('is not on the %s’s main port', async (which) => {
      const response = await (which === 'server' ? server : keyserver)
        .http()
        .get('/metrics')
        .set(bearer(METRICS_TOKEN));
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /metrics' });
    });

    it('is served on the metrics port, without a token when METRICS_TOKEN is unset', async () => {
      const response = await fetch(metricsUrl(keyserverMetricsPort));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
      expect(sample(await response.text(), 'kx_validation_duration_seconds_count')).toBe(0);
    });

    it('still needs the token there when METRICS_TOKEN is set', async () => {
      for (const headers of [{}, bearer(randomBytes(32).toString('base64url'))]) {
        const refused = await fetch(metricsUrl(serverMetricsPort), { headers });
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer');
        expect(await refused.json()).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: stringContaining('METRICS_TOKEN'),
        });
      }
      const response = await fetch(metricsUrl(serverMetricsPort), { headers: bearer(METRICS_TOKEN) });
      expect(response.status).toBe(200);
      expect(sample(await response.text(), 'kx_access_tokens_issued_total')).toBe(0);
    });

    it('serves nothing else on the metrics port', async () => {
      for (const [path, method] of [
        ['/api/auth/login', 'POST'],
        ['/', 'GET'],
        ['/metrics', 'POST'],
      ]) {
        const response = await fetch(metricsUrl(keyserverMetricsPort, path), { method });
        expect(response.status).toBe(404);
        expect(await response.json()).toEqual({ statusCode: 404, error: 'Not Found', message: anyString() });
      }
    });

    it('closes the metrics port with the app', async () => {
      const port = await freePort();
      const app = await startServer({ METRICS_PORT: String(port) });
      expect(await listening(port)).toBe(true);
      // A kept-alive scraper connection must not hold the app's shutdown.
      expect((await fetch(metricsUrl(port), { keepalive: true })).status).toBe(200);
      await app.close();
      expect(await listening(port)).toBe(false);
    });
  });
});
