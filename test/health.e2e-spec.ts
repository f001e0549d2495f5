import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readiness } from '@app/platform';
import { closeAll, freePort, type RunningApp, startKeyserver, startServer, startServices } from './support/apps.js';
import { getAccessToken } from './support/client.js';
import { bearer, registerAndLogin } from './support/users.js';
import { anyNumber, stringMatching } from './support/matchers.js';

const LIVE = { status: 'ok', checks: { process: { status: 'up' } } };
const up = { status: 'up', responseTime: anyNumber() };
const down = (message: string | RegExp) => ({
  status: 'down',
  message: typeof message === 'string' ? message : stringMatching(message),
  responseTime: anyNumber(),
});

/** What the keyserver's readiness answers when the server is not what it needs. */
function expectServerDown(response: { status: number; body: unknown }, message: string | RegExp) {
  expect(response.status).toBe(503);
  expect(response.body).toEqual({
    statusCode: 503,
    error: 'Service Unavailable',
    message: 'Not ready: server down',
    checks: { database: up, server: down(message) },
  });
}

/** A stand-in for the server at SERVER_URL, answering every request with `handle`. */
async function fakeServer(
  handle: Parameters<typeof createServer>[1],
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(handle).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('health', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  it.each(['server', 'keyserver'] as const)(
    'GET /health/live answers 200 on the %s, without credentials',
    async (app) => {
      const response = await (app === 'server' ? server : keyserver).http().get('/health/live');
      expect(response.status).toBe(200);
      expect(response.body).toEqual(LIVE);
    },
  );

  it('GET /health/ready answers 200 on the server when its database answers', async () => {
    const response = await server.http().get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: up } });
  });

  it('GET /health/ready answers 200 on the keyserver when its database and the server answer', async () => {
    const response = await keyserver.http().get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: up, server: up } });
  });

  it('probes neither issue nor spend an access token', async () => {
    const user = await registerAndLogin(server.http);
    const token = await getAccessToken(server, user);
    const tokens = async () =>
      Number((await server.app.get(DataSource).query<{ n: string }[]>('SELECT count(*) AS n FROM access_tokens'))[0].n);
    const before = await tokens();
    for (let i = 0; i < 3; i++) await keyserver.http().get('/health/ready').expect(200);
    expect(await tokens()).toBe(before);
    // Still unspent: the keyserver accepts it (no key is stored yet: 404, not a 403).
    await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(token)).expect(404);
  });
});

describe('keyserver readiness when the server is not there', () => {
  const apps: RunningApp[] = [];
  const fakes: Array<{ close: () => Promise<void> }> = [];
  afterAll(async () => {
    await closeAll(...apps);
    for (const fake of fakes) await fake.close();
  });

  async function keyserverFor(serverUrl: string, env: Record<string, string> = {}) {
    const app = await startKeyserver(serverUrl, env);
    apps.push(app);
    return app;
  }

  it('answers 503 when nothing listens at SERVER_URL, and stays live', async () => {
    const keyserver = await keyserverFor(`http://127.0.0.1:${await freePort()}`);
    expectServerDown(await keyserver.http().get('/health/ready'), 'The server is unreachable');
    await keyserver.http().get('/health/live').expect(200, LIVE);
  });

  it('answers 503 when the server refuses its API key (401)', async () => {
    const server = await startServer();
    apps.unshift(server);
    const keyserver = await keyserverFor(server.url, {
      KEYSERVER_API_KEY: 'a-different-keyserver-api-key-0123456789abcdef',
    });
    apps.unshift(keyserver);
    expectServerDown(await keyserver.http().get('/health/ready'), 'The server refused the keyserver API key');
  });

  it('answers 503 when the server answers 5xx', async () => {
    const fake = await fakeServer((_req, res) => res.writeHead(502).end('Bad gateway'));
    fakes.push(fake);
    const keyserver = await keyserverFor(fake.url);
    expectServerDown(await keyserver.http().get('/health/ready'), 'The server answered 502');
  });

  it('answers 503 when the server answers 200 instead of 403 (not a validate endpoint)', async () => {
    const fake = await fakeServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    fakes.push(fake);
    const keyserver = await keyserverFor(fake.url);
    expectServerDown(await keyserver.http().get('/health/ready'), 'The server answered 200');
  });

  it('answers 503 within SERVER_TIMEOUT_MS when the server is slow', async () => {
    const fake = await fakeServer(() => undefined);
    fakes.push(fake);
    const keyserver = await keyserverFor(fake.url, { SERVER_TIMEOUT_MS: '200' });
    const started = Date.now();
    expectServerDown(await keyserver.http().get('/health/ready'), /timeout of 200ms exceeded/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('server readiness when its database is gone', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => closeAll(server));

  it('answers 503, and stays live', async () => {
    await server.app.get(DataSource).destroy();
    const response = await server.http().get('/health/ready');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Not ready: database down',
      checks: { database: down('The database did not answer') },
    });
    await server.http().get('/health/live').expect(200, LIVE);
  });
});

describe('readiness while shutting down', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  it.each(['server', 'keyserver'] as const)(
    'the %s answers 503 to /health/ready once marked, 200 to /health/live',
    async (name) => {
      const app = name === 'server' ? server : keyserver;
      await app.http().get('/health/ready').expect(200);
      app.app.get(Readiness).markShuttingDown();
      expect(app.app.get(Readiness).shuttingDown).toBe(true);
      const response = await app.http().get('/health/ready');
      expect(response.status).toBe(503);
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Not ready: shutting down',
        checks: {},
      });
      await app.http().get('/health/live').expect(200, LIVE);
    },
  );
});

describe('health and the per-address ceiling', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_REQUESTS_PER_ADDRESS: '2/1h' });
  });
  afterAll(() => closeAll(server));

  it('never counts a probe', async () => {
    for (let i = 0; i < 5; i++) {
      await server.http().get('/health/live').expect(200);
      await server.http().get('/health/ready').expect(200);
    }
    await server.http().get('/api/user/me').expect(401);
  });
});
