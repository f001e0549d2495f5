import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError, IN_MEMORY } from '@app/platform';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadKeyserverConfig } from '../apps/keyserver/src/core/keyserver-config.js';
import { loadServerConfig } from '../apps/server/src/core/server-config.js';
import {
  closeAll,
  type RunningApp,
  startKeyserver,
  startServer,
  TEST_KEYSERVER_API_KEY,
  TEST_STORAGE_KEYS,
  TEST_VERIFIER_KEYS,
} from './support/apps.js';
import { createKeyPair, getAccessToken } from './support/client.js';
import { bearer, registerAndLogin } from './support/users.js';
import { anyNumber } from './support/matchers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface LogLine {
  name?: string;
  level: number;
  msg?: string;
  reqId?: string;
  method?: string;
  route?: string;
  statusCode?: number;
  responseTime?: number;
  context?: string;
}

/** Everything the process writes to stdout, where pino writes. */
class StdoutCapture {
  private chunks: string[] = [];

  install(): void {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk));
      return true;
    });
  }

  text(): string {
    return this.chunks.join('');
  }

  /** The JSON lines; anything else written to stdout is a failure of LOG_FORMAT=json. */
  lines(): LogLine[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  }

  /** The request lines with this id. */
  requestLines(reqId: string): LogLine[] {
    return this.lines().filter((line) => line.reqId === reqId && /^request (completed|failed)$/.test(line.msg ?? ''));
  }
}

const randomToken = () => randomBytes(32).toString('base64url');

describe('request logs (LOG_FORMAT=json)', () => {
  const capture = new StdoutCapture();
  let server: RunningApp;
  let keyserver: RunningApp;
  /** LOG_LEVEL=warn: no request lines; a low request ceiling, for a 429. */
  let quietServer: RunningApp;
  /** Every authorization value sent in this file: none may appear in a log. */
  const credentials = [TEST_KEYSERVER_API_KEY];

  beforeAll(async () => {
    capture.install();
    server = await startServer({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    keyserver = await startKeyserver(server.url, { LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    quietServer = await startServer({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json', RATE_LIMIT_REQUESTS_PER_ADDRESS: '3/1h' });
  });
  afterAll(async () => {
    await closeAll(keyserver, server, quietServer);
    vi.restoreAllMocks();
  });

  it('writes Nest’s own logs through pino, as JSON', () => {
    const started = capture
      .lines()
      .filter((line) => line.context === 'NestApplication' && line.msg === 'Nest application successfully started');
    expect(started.length).toBeGreaterThan(0);
  });

  it('writes one line per request: id, method, route pattern, status and duration; the keyserver’s validate call carries its id', async () => {
    const user = await registerAndLogin(server.http);
    credentials.push(user.sessionToken);
    await createKeyPair(server, keyserver, user);
    const accessToken = await getAccessToken(server, user);
    credentials.push(accessToken);

    const response = await keyserver
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(accessToken))
      .set('X-Request-Id', 'read-key.1_A');
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toBe('read-key.1_A');

    const [line, ...more] = capture.requestLines('read-key.1_A').filter((l) => l.name === 'keyserver');
    expect(more).toEqual([]);
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/keys/:userId',
      statusCode: 200,
      responseTime: anyNumber(),
    });
    // The route pattern, never the path with the user's id.
    expect(JSON.stringify(line)).not.toContain(user.userId);

    // The server's line for the validate call the keyserver made for it.
    expect(capture.requestLines('read-key.1_A').filter((l) => l.name === 'server')).toEqual([
      expect.objectContaining({ method: 'POST', route: '/keyserver/user/validate', statusCode: 200 }),
    ]);
  });

  it('logs a request the keyserver refuses with the id it generated, on both services', async () => {
    const madeUp = randomToken();
    credentials.push(madeUp);
    const response = await keyserver.http().get(`/api/keys/${randomUUID()}`).set(bearer(madeUp));
    expect(response.status).toBeGreaterThanOrEqual(400);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(capture.requestLines(id).map((l) => [l.name, l.route, l.statusCode])).toEqual([
      ['server', '/keyserver/user/validate', 403],
      ['keyserver', '/api/keys/:userId', response.status],
    ]);
  });

  it.each([
    ['one with a space', 'req 42'],
    ['one over 64 characters', 'a'.repeat(65)],
    ['one with a slash', 'a/b'],
  ])('replaces an invalid incoming id (%s) with a generated one', async (_case, offered) => {
    const response = await server.http().get('/api/user/me').set('X-Request-Id', offered);
    expect(response.status).toBe(401);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(capture.requestLines(id)).toEqual([
      expect.objectContaining({ method: 'GET', route: '/api/user/me', statusCode: 401 }),
    ]);
    expect(capture.text()).not.toContain(offered);
  });

  it('echoes and logs the id on a 404, with no route', async () => {
    const response = await server
      .http()
      .get(`/api/nothing/${randomUUID()}?cursor=abc`)
      .set('X-Request-Id', 'not-found-1');
    expect(response.status).toBe(404);
    expect(response.headers['x-request-id']).toBe('not-found-1');
    expect(capture.requestLines('not-found-1')).toEqual([
      expect.objectContaining({ method: 'GET', route: 'unmatched', statusCode: 404 }),
    ]);
    expect(capture.text()).not.toContain('/api/nothing');
    expect(capture.text()).not.toContain('cursor=abc');
  });

  it('echoes and logs the id on a body refused before routing (400)', async () => {
    const secret = `body-${randomToken()}`;
    const response = await server
      .http()
      .post('/api/auth/login')
      .set('X-Request-Id', 'bad-body-1')
      .set('Content-Type', 'application/json')
      .send(`{"password": "${secret}`);
    expect(response.status).toBe(400);
    expect(response.headers['x-request-id']).toBe('bad-body-1');
    expect(capture.requestLines('bad-body-1')).toEqual([expect.objectContaining({ method: 'POST', statusCode: 400 })]);
    expect(capture.text()).not.toContain(secret);
  });

  it('writes no request line at LOG_LEVEL=warn', async () => {
    const response = await quietServer.http().get('/api/user/me').set('X-Request-Id', 'quiet-1');
    expect(response.status).toBe(401);
    expect(response.headers['x-request-id']).toBe('quiet-1');
    expect(capture.text()).not.toContain('quiet-1');
  });

  it('echoes the id on a 429 from the request ceiling', async () => {
    let response: supertest.Response | undefined;
    for (let i = 0; i < 4 && response?.status !== 429; i += 1) {
      response = await quietServer.http().get('/api/user/me').set('X-Request-Id', `ceiling-${i}`);
    }
    expect(response!.status).toBe(429);
    expect(response!.headers['x-request-id']).toMatch(/^ceiling-\d$/);
  });

  it('never logs an Authorization header, a session token or an access token', () => {
    const text = capture.text();
    expect(credentials.length).toBeGreaterThan(3);
    expect(credentials.filter((credential) => text.includes(credential))).toEqual([]);
    expect(text).not.toMatch(/authorization|bearer/i);
  });
});

describe('LOG_FORMAT=pretty', () => {
  const capture = new StdoutCapture();
  let server: RunningApp;
  beforeAll(async () => {
    capture.install();
    server = await startServer({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
  });
  afterAll(async () => {
    await closeAll(server);
    vi.restoreAllMocks();
  });

  it('writes readable lines, still with the request id and route', async () => {
    await server.http().get('/api/user/me').set(bearer(randomToken())).set('X-Request-Id', 'pretty-1').expect(401);
    const line = capture
      .text()
      .split('\n')
      .find((l) => l.includes('pretty-1'));
    expect(line).toContain('request completed');
    expect((): unknown => JSON.parse(line!)).toThrow();
    expect(capture.text()).toContain('/api/user/me');
  });
});

describe('logging configuration', () => {
  const env = {
    DATA_DIR: IN_MEMORY,
    KEYSERVER_API_KEY: TEST_KEYSERVER_API_KEY,
    SERVER_VERIFIER_KEYS: TEST_VERIFIER_KEYS,
    KEYSERVER_STORAGE_KEYS: TEST_STORAGE_KEYS,
    SERVER_URL: 'http://127.0.0.1:3000',
  };

  it('defaults to info and json, whatever NODE_ENV', () => {
    for (const NODE_ENV of ['development', 'test']) {
      expect(loadServerConfig({ ...env, NODE_ENV }).logging).toEqual({ level: 'info', format: 'json', name: 'server' });
      expect(loadKeyserverConfig({ ...env, NODE_ENV }).logging).toEqual({
        level: 'info',
        format: 'json',
        name: 'keyserver',
      });
    }
    expect(loadServerConfig({ ...env, LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' }).logging).toMatchObject({
      level: 'debug',
      format: 'pretty',
    });
  });

  it.each([
    ['LOG_FORMAT', 'text'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
  ])('refuses %s=%s at start, naming it', (variable, value) => {
    for (const load of [loadServerConfig, loadKeyserverConfig]) {
      const attempt = () => load({ ...env, [variable]: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(new RegExp(`${variable}: ${variable} must be one of`));
    }
  });
});
