import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { configureHttpApp, ConfigurationError, HttpPlatformModule, serveApiDocs } from '@app/platform';
import { closeAll, type RunningApp, startKeyserver, startServer, startServices } from './support/apps.js';
import { uniqueEmail, randomPassword } from './support/users.js';
import { bodyOf } from './support/body.js';

const ORIGIN = 'https://app.example.com';

/** The requests each service answers with a 2xx, an error, a refused body and a 404. */
function sampleRequests(service: 'server' | 'keyserver') {
  const id = randomUUID();
  return service === 'server'
    ? [
        {
          name: 'a 201',
          status: 201,
          send: (h: supertest.Agent) =>
            h.post('/api/auth/register').send({ email: uniqueEmail(), password: randomPassword() }),
        },
        { name: 'a 401', status: 401, send: (h: supertest.Agent) => h.get('/api/user/me') },
        {
          name: 'a keyserver route 401',
          status: 401,
          send: (h: supertest.Agent) => h.post('/keyserver/user/validate').send({}),
        },
        {
          name: 'malformed JSON',
          status: 400,
          send: (h: supertest.Agent) =>
            h.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":'),
        },
        { name: 'an unknown API route', status: 404, send: (h: supertest.Agent) => h.get('/api/nothing-here') },
        {
          name: 'an unknown keyserver route',
          status: 404,
          send: (h: supertest.Agent) => h.get('/keyserver/nothing-here'),
        },
        { name: 'a route outside /api', status: 404, send: (h: supertest.Agent) => h.get('/') },
      ]
    : [
        { name: 'a 401', status: 401, send: (h: supertest.Agent) => h.get(`/api/keys/${id}`) },
        {
          name: 'malformed JSON',
          status: 400,
          send: (h: supertest.Agent) => h.post(`/api/keys/${id}`).set('Content-Type', 'application/json').send('{'),
        },
        { name: 'an unknown API route', status: 404, send: (h: supertest.Agent) => h.get('/api/nothing-here') },
      ];
}

describe('security headers and caching on both services', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  for (const service of ['server', 'keyserver'] as const) {
    it.each(sampleRequests(service))(
      `answers $name on the ${service} with no-store and the API's security headers`,
      async ({ status, send }) => {
        const response = await send((service === 'server' ? server : keyserver).http());
        expect(response.status).toBe(status);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['x-powered-by']).toBeUndefined();
        // Nothing to revalidate under no-store: no ETag, and no hash of every answer to make one.
        expect(response.headers.etag).toBeUndefined();
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['x-frame-options']).toBe('DENY');
        expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(response.headers['referrer-policy']).toBe('no-referrer');
        expect(response.headers['content-security-policy']).toBe(
          "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
        );
        // CORS is off unless CORS_ORIGINS says otherwise.
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      },
    );
  }

  it('keeps no-store on paths spelt in another case (Express routes ignore case)', async () => {
    const response = await server.http().get('/API/user/me');
    expect(response.status).toBe(401);
    expect(response.headers['cache-control']).toBe('no-store');
  });
});

/** Swagger UI under its content security policy. */
describe('the docs', () => {
  let app: INestApplication<Server>;
  let url: string;
  const http = () => supertest(app.getHttpServer());
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HttpPlatformModule] }).compile();
    const nest = configureHttpApp(
      moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false }),
    );
    serveApiDocs(
      nest,
      { title: 'Docs', description: 'Test', bearerSchemes: { token: 'A token' } },
      { production: true },
    );
    await nest.listen(0, '127.0.0.1');
    app = nest;
    url = (await nest.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app?.close());

  const DOCS_POLICY =
    "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';" +
    "base-uri 'none';form-action 'none';frame-ancestors 'none'";

  it('serves the page under a policy that allows only its own scripts, and no inline script', async () => {
    const response = await http().get('/docs').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toBe(DOCS_POLICY);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['x-powered-by']).toBeUndefined();
    // The docs are not secrets: they may be cached.
    expect(response.headers['cache-control'] ?? '').not.toContain('no-store');
    const scripts = [...response.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\.\/docs\/[\w.-]+\.js"/);
      expect(body.trim()).toBe('');
    }
  });

  it('serves every script, stylesheet and icon the page names, and the document', async () => {
    const page = (await http().get('/docs').expect(200)).text;
    const assets = [...page.matchAll(/(?:src|href)="\.\/docs\/([\w.-]+)"/g)].map(([, name]) => name);
    expect(assets).toEqual(
      expect.arrayContaining([
        'swagger-ui.css',
        'swagger-ui-bundle.js',
        'swagger-ui-standalone-preset.js',
        'swagger-ui-init.js',
      ]),
    );
    for (const asset of assets) {
      const response = await http().get(`/docs/${asset}`);
      expect([asset, response.status]).toEqual([asset, 200]);
      expect(response.headers['content-type']).toMatch(/javascript|css|image\/png/);
    }
    // Swagger UI is told not to call the online validator, which the policy would block anyway.
    expect((await http().get('/docs/swagger-ui-init.js').expect(200)).text).toMatch(/"validatorUrl":\s*null/);
    const document = await http().get('/docs-json').expect(200);
    expect(bodyOf<{ openapi: string }>(document).openapi).toMatch(/^3\./);
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) =>
    existsSync(path),
  );

  // Optional: runs where a Chromium is installed (the checks above run everywhere).
  it.skipIf(!chromium)('renders in headless Chromium with no content security policy violation', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'kx-chromium-'));
    onTestFinished(() => rmSync(profile, { recursive: true, force: true }));
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${profile}`,
      '--enable-logging=stderr',
      '--v=0',
    ];
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        chromium!,
        [...args, '--virtual-time-budget=10000', '--dump-dom', `${url}/docs`],
        { timeout: 50_000, maxBuffer: 20_000_000 },
        (error, stdout, stderr) => (error instanceof Error ? reject(error) : resolve({ stdout, stderr })),
      ),
    );
    // Swagger UI drew the document's title and the Authorize button.
    expect(stdout).toMatch(/class="title"[^>]*>Docs/);
    expect(stdout).toContain('btn authorize');
    const console = stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
    expect(console.filter((line) => /Content Security Policy|Refused/i.test(line))).toEqual([]);
  });
});

describe('CORS', () => {
  it('is off by default: a preflight gets no allow-origin', async () => {
    const server = await startServer();
    onTestFinished(() => server.close());
    const preflight = await server
      .http()
      .options('/api/user/me')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    const response = await server.http().get('/api/user/me').set('Origin', ORIGIN).expect(401);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers preflights outside the per-address ceiling: a browser app never spends its requests on them', async () => {
    const server = await startServer({ CORS_ORIGINS: ORIGIN, RATE_LIMIT_REQUESTS_PER_ADDRESS: '3/1m' });
    onTestFinished(() => server.close());
    for (let i = 0; i < 10; i++) {
      await server
        .http()
        .options('/api/user/me')
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization')
        .expect(204);
    }
    for (let i = 0; i < 3; i++) await server.http().get('/api/user/me').set('Origin', ORIGIN).expect(401);
    await server.http().get('/api/user/me').set('Origin', ORIGIN).expect(429);
  });

  describe('with CORS_ORIGINS set, on both services', () => {
    let server: RunningApp;
    let keyserver: RunningApp;
    const env = { CORS_ORIGINS: `${ORIGIN}, http://localhost:5173` };
    beforeAll(async () => {
      server = await startServer(env);
      keyserver = await startKeyserver(server.url, env);
    });
    afterAll(() => closeAll(keyserver, server));

    const routes = () =>
      [
        [server, '/api/user/me'],
        [keyserver, `/api/keys/${randomUUID()}`],
      ] as const;

    it("answers a listed origin's preflight with the methods and headers the API takes", async () => {
      for (const [app, path] of routes()) {
        for (const origin of [ORIGIN, 'http://localhost:5173']) {
          const preflight = await app
            .http()
            .options(path)
            .set('Origin', origin)
            .set('Access-Control-Request-Method', 'PUT')
            .set('Access-Control-Request-Headers', 'authorization,content-type,x-request-id');
          expect(preflight.status).toBe(204);
          expect(preflight.headers['access-control-allow-origin']).toBe(origin);
          expect(preflight.headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE');
          expect(preflight.headers['access-control-allow-headers']).toBe('Authorization,Content-Type,X-Request-Id');
          expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
          expect(preflight.headers['access-control-max-age']).toBe('600');
          expect(preflight.headers.vary).toMatch(/Origin/);
        }
      }
    });

    it('lets a listed origin read the answer, with Retry-After and X-Request-Id exposed', async () => {
      for (const [app, path] of routes()) {
        const response = await app.http().get(path).set('Origin', ORIGIN).expect(401);
        expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);
        expect(response.headers['access-control-expose-headers']).toBe('Retry-After,X-Request-Id');
        expect(response.headers['cache-control']).toBe('no-store');
      }
    });

    it.each(['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com', 'null'])(
      'gives no allow-origin to %s',
      async (origin) => {
        for (const [app, path] of routes()) {
          const preflight = await app
            .http()
            .options(path)
            .set('Origin', origin)
            .set('Access-Control-Request-Method', 'GET');
          expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
          const response = await app.http().get(path).set('Origin', origin);
          expect(response.headers['access-control-allow-origin']).toBeUndefined();
        }
      },
    );
  });

  it.each([
    ['a path', 'https://app.example.com/app'],
    ['a trailing slash', 'https://app.example.com/'],
    ['a wildcard', '*'],
    ['no scheme', 'app.example.com'],
    ['another scheme', 'ftp://app.example.com'],
    ['an empty entry', `${ORIGIN},`],
    ['a default port spelt out', 'https://app.example.com:443'],
  ])('refuses to start with an origin with %s', async (_case, value) => {
    await expect(startServer({ CORS_ORIGINS: value })).rejects.toThrow(ConfigurationError);
    await expect(startServer({ CORS_ORIGINS: value })).rejects.toThrow(
      /CORS_ORIGINS must be a comma-separated list of origins/,
    );
  });
});

/** Reads what the server sends until it closes the connection, how long that took, and how long it stayed quiet before. */
function slowClient(
  url: string,
  send: (write: (text: string) => void) => () => void,
): Promise<{ received: string; ms: number; quietMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    let lastData = started;
    const socket = connect(Number(port), hostname, () => {
      const stop = send((text) => socket.write(text));
      socket.on('close', () => {
        stop();
        resolve({ received, ms: Date.now() - started, quietMs: Date.now() - lastData });
      });
    });
    socket.on('data', (chunk) => {
      received += chunk.toString();
      lastData = Date.now();
    });
    socket.on('error', reject);
    onTestFinished(() => {
      socket.destroy();
    });
  });
}

/** A header line every 200 ms, for ever: each keeps the connection busy, none ends the headers. */
function dribbleHeaders(path: string) {
  return (write: (text: string) => void) => {
    write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n`);
    let n = 0;
    const timer = setInterval(() => write(`X-Slow-${n++}: a\r\n`), 200);
    return () => clearInterval(timer);
  };
}

describe('timeouts', () => {
  it('are set deliberately on both services by default', async () => {
    const { server, keyserver } = await startServices();
    onTestFinished(() => closeAll(keyserver, server));
    for (const app of [server, keyserver]) {
      const http = app.app.getHttpServer() as import('node:http').Server;
      expect([http.requestTimeout, http.headersTimeout, http.keepAliveTimeout]).toEqual([30_000, 10_000, 5_000]);
    }
  });

  it.each([
    ['keep-alive below headers', { HTTP_KEEP_ALIVE_TIMEOUT_MS: '10000', HTTP_HEADERS_TIMEOUT_MS: '10000' }],
    ['headers within request', { HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '15000' }],
  ])('refuses settings that break %s', async (_case, env) => {
    await expect(startServer(env)).rejects.toThrow(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS < HTTP_HEADERS_TIMEOUT_MS <= HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  describe('with short settings', () => {
    let server: RunningApp;
    let keyserver: RunningApp;
    const env = { HTTP_KEEP_ALIVE_TIMEOUT_MS: '500', HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' };
    beforeAll(async () => {
      server = await startServer(env);
      keyserver = await startKeyserver(server.url, env);
    });
    afterAll(() => closeAll(keyserver, server));

    it.each(['server', 'keyserver'] as const)(
      'cuts off a client that sends its headers slowly, on the %s',
      async (which) => {
        const app = which === 'server' ? server : keyserver;
        const { received, ms } = await slowClient(app.url, dribbleHeaders('/api/user/me'));
        expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
        // The headers timeout, plus at most Node's checking interval (a quarter of it) and some slack.
        expect(ms).toBeGreaterThanOrEqual(1000);
        expect(ms).toBeLessThan(2500);
      },
    );

    it('cuts off a client that sends its body slowly', async () => {
      const { received, ms } = await slowClient(server.url, (write) => {
        write(
          'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
        );
        const timer = setInterval(() => write(' '), 200);
        return () => clearInterval(timer);
      });
      expect(received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(ms).toBeGreaterThanOrEqual(2000);
      expect(ms).toBeLessThan(4000);
    });

    it('closes an idle kept-alive connection after the keep-alive timeout', async () => {
      const { received, quietMs } = await slowClient(server.url, (write) => {
        write('GET /api/user/me HTTP/1.1\r\nHost: localhost\r\n\r\n');
        return () => undefined;
      });
      expect(received).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
      // Node closes the socket 1 s after the timeout it announces, so that a client honouring that one never races it.
      expect(quietMs).toBeGreaterThanOrEqual(400);
      expect(quietMs).toBeLessThan(2500);
    });

    it('still answers a client that sends its request at once', async () => {
      await server.http().get('/api/user/me').expect(401);
      await keyserver.http().get(`/api/keys/${randomUUID()}`).expect(401);
    });
  });
});
