import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_POLICY as KEYSERVER_AUTH_POLICY } from '../apps/keyserver/src/keys/access-token.guard.js';
import { AUTH_POLICY as SERVER_AUTH_POLICY } from '../apps/server/src/auth/auth-policy.js';
import { generateKeyPair } from '@app/crypto';
import { configureHttpApp, HttpPlatformModule, serveApiDocs } from '@app/platform';
import { closeAll, type RunningApp, startServices, TEST_KEYSERVER_API_KEY } from './support/apps.js';
import { getAccessToken, passSessionChallenge, putPublicKey } from './support/client.js';
import { listRoutes } from './support/routes.js';
import { bearer, registerAndLogin, type TestUser } from './support/users.js';
import { anything, stringMatching } from './support/matchers.js';
import { errorOf } from './support/body.js';

/** Request hygiene every route shares: deny by default, JSON only, clear 4xx. */
describe('every route', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let user: TestUser;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
    // A secured session, so every route gets as far as reading its body.
    user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    await passSessionChallenge(server, user.sessionToken, keys);
  });
  afterAll(() => closeAll(keyserver, server));

  const serverRoutes = [
    'POST /api/auth/register',
    'POST /api/auth/login',
    'POST /api/auth/logout',
    'GET /api/user/me',
    'PUT /api/user/public-key',
    'POST /api/user/access-token',
    'POST /api/user/session-challenge',
    'POST /api/user/session-challenge/answer',
    'GET /api/users/:userId/public-key',
    'POST /keyserver/user/validate',
    'GET /api/user/sessions',
    'DELETE /api/user/sessions',
    'DELETE /api/user/sessions/:id',
    'GET /api/user/events',
    'POST /api/user/delete',
    'POST /api/user/key-change',
    'POST /api/secrets',
    'GET /api/secrets',
    'GET /api/secrets/:secretId',
    'GET /api/secrets/:secretId/versions/:version',
    'POST /api/secrets/:secretId/members',
    'POST /api/secrets/:secretId/members/:userId/removal',
    'POST /api/secrets/:secretId/versions',
    'POST /api/secrets/:secretId/leave',
    'DELETE /api/secrets/:secretId',
    'PUT /api/secrets/:secretId/members/:userId/role',
    'GET /health/live',
    'GET /health/ready',
  ];
  const keyserverRoutes = [
    'POST /api/keys/:userId',
    'GET /api/keys/:userId',
    'DELETE /api/keys/:userId',
    'GET /api/keys/:userId/events',
    'POST /api/keys/:userId/key-changes',
    'POST /api/keys/:userId/key-changes/:keyChangeId/apply',
    'DELETE /api/keys/:userId/key-changes/:keyChangeId',
    'GET /health/live',
    'GET /health/ready',
  ];

  it('states who may call it (deny by default), on the server', () => {
    const routes = listRoutes(server.app, SERVER_AUTH_POLICY);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([...serverRoutes].sort());
    for (const route of routes) {
      expect([route.method, route.path, route.policy]).toEqual([
        route.method,
        route.path,
        stringMatching(/^(public|session|secured-session|keyserver)$/),
      ]);
    }
    const open = routes.filter((r) => r.policy === 'public').map((r) => r.path);
    expect(open.sort()).toEqual(['/api/auth/login', '/api/auth/register', '/health/live', '/health/ready']);
  });

  it('states who may call it (deny by default), on the keyserver', () => {
    const routes = listRoutes(keyserver.app, KEYSERVER_AUTH_POLICY);
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([...keyserverRoutes].sort());
    for (const route of routes)
      expect(route.policy).toBe(route.path.startsWith('/health/') ? 'public' : 'access-token');
  });

  // A concrete request per route, authenticated, so what is tested is the body handling.
  const concrete = (route: string) =>
    route.replace(':userId', user.userId).replace(':id', randomUUID()).replace(':keyChangeId', randomUUID());
  const allRoutes = [
    ...serverRoutes.map((r) => ['server', r] as const),
    ...keyserverRoutes.map((r) => ['keyserver', r] as const),
  ];

  async function send(app: 'server' | 'keyserver', route: string, body: string, contentType: string) {
    const [method, path] = concrete(route).split(' ');
    const target = app === 'server' ? server : keyserver;
    const credential =
      app === 'keyserver'
        ? await getAccessToken(server, user)
        : path === '/keyserver/user/validate'
          ? TEST_KEYSERVER_API_KEY
          : user.sessionToken;
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
    return target.http()[verb](path).set(bearer(credential)).set('Content-Type', contentType).send(body);
  }

  function expectClear400(response: { status: number; body: unknown; text: string }) {
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: anything() });
    expect(response.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
  }

  it.each(allRoutes)('%s %s answers 400 to a body that is not JSON', async (app, route) => {
    expectClear400(await send(app, route, 'email=a@b.c&password=12345678', 'application/x-www-form-urlencoded'));
    expectClear400(await send(app, route, 'hello', 'text/plain'));
  });

  it.each(allRoutes)('%s %s answers 400 to malformed JSON', async (app, route) => {
    expectClear400(await send(app, route, '{"email": ', 'application/json'));
  });

  // JSON.parse's messages quote the input: a login secret once came back in one.
  const SECRET = 'Hunter2-l0gin-S3cret-9f4e';
  const secretBodies = [
    `{"email": "a@example.com", "password": "${SECRET}" x}`,
    `{"email": "a@example.com", "password": ${SECRET}}`,
    `{"password": "${SECRET}\\q"}`,
    SECRET,
    `"${SECRET}"`,
    ` \n${SECRET}`,
  ];

  function expectNoSecret(response: { text: string; headers: Record<string, unknown> }) {
    const answer = `${response.text}\n${JSON.stringify(response.headers)}`.toLowerCase();
    // Not the secret, nor any 6 characters of it, nor an encoding of it.
    for (let i = 0; i + 6 <= SECRET.length; i++) expect(answer).not.toContain(SECRET.slice(i, i + 6).toLowerCase());
    for (const encoding of ['base64', 'base64url', 'hex'] as const) {
      expect(answer).not.toContain(Buffer.from(SECRET).toString(encoding).slice(0, 12).toLowerCase());
    }
  }

  it.each(allRoutes)('%s %s never quotes a body that is not valid JSON', async (app, route) => {
    for (const body of secretBodies) {
      const response = await send(app, route, body, 'application/json');
      expectClear400(response);
      expect(errorOf(response).message).toMatch(/^The request body is not valid JSON( \(at position \d+\))?$/);
      expectNoSecret(response);
    }
  });

  it('says where a body stops being valid JSON, when it can', async () => {
    const body = '{"email": "a@example.com" "password": "12345678"}';
    const response = await server.http().post('/api/auth/login').set('Content-Type', 'application/json').send(body);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: `The request body is not valid JSON (at position ${body.indexOf('"password"')})`,
    });
  });

  it.each(allRoutes)('%s %s answers 400 to JSON that is not an object', async (app, route) => {
    expectClear400(await send(app, route, '[]', 'application/json'));
    expectClear400(await send(app, route, '"text"', 'application/json'));
    expectClear400(await send(app, route, 'null', 'application/json'));
  });

  it.each(allRoutes)('%s %s answers 400 to a field it does not take', async (app, route) => {
    expectClear400(await send(app, route, '{"unexpected": true}', 'application/json'));
  });

  it.each([
    [
      'nested deeper than 8 levels',
      `{"email": ${'['.repeat(5000)}${']'.repeat(5000)}, "password": "12345678"}`,
      'nested',
    ],
    [
      'a __proto__ key',
      '{"__proto__": {"admin": true}, "email": "p@example.com", "password": "12345678"}',
      '__proto__',
    ],
    [
      'a constructor key',
      '{"constructor": {"prototype": {}}, "email": "c@example.com", "password": "12345678"}',
      'constructor',
    ],
    ['a deeply nested array', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'JSON object'],
  ])('answers 400 to a body with %s, before validation', async (_case, body, message) => {
    const response = await server.http().post('/api/auth/register').set('Content-Type', 'application/json').send(body);
    expectClear400(response);
    expect(JSON.stringify(errorOf(response).message)).toContain(message);
  });

  // Each of body-parser's errors that a request can cause, with a fixed message (none echoes the request).
  it.each([
    [
      'an unsupported charset',
      { 'Content-Type': 'application/json; charset=latin1' },
      'The request body must be UTF-8 JSON: its charset is not supported',
    ],
    [
      'a corrupt gzip encoding',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      'The request body cannot be read (is its Content-Encoding right?)',
    ],
    [
      'an unknown encoding',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' },
      'The request body has a Content-Encoding that is not supported (use gzip, deflate, br or none)',
    ],
  ])('answers 400 to a body with %s', async (_case, headers, message) => {
    const response = await server
      .http()
      .post('/api/auth/login')
      .set(headers)
      .send('{"email":"a@example.com","password":"12345678"}');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message });
  });

  const TOO_LARGE = { statusCode: 413, error: 'Payload Too Large', message: 'The request body is too large' };

  it('answers 413 to an oversized body, unread', async () => {
    const response = await server
      .http()
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'big@example.com', password: 'x'.repeat(100_000) }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual(TOO_LARGE);
  });

  it('reads a body of exactly 64 KiB, and refuses one byte more with 413', async () => {
    const bodyOf = (bytes: number) => {
      const shell = JSON.stringify({ email: 'edge@example.com', password: '' });
      return JSON.stringify({ email: 'edge@example.com', password: 'x'.repeat(bytes - shell.length) });
    };
    const send = (body: string) =>
      server.http().post('/api/auth/register').set('Content-Type', 'application/json').send(body);
    expect(Buffer.byteLength(bodyOf(64 * 1024))).toBe(64 * 1024);
    // Read, then refused by validation: the password is too long.
    const atLimit = await send(bodyOf(64 * 1024));
    expect(atLimit.status).toBe(400);
    expect(errorOf(atLimit).message).toEqual(expect.arrayContaining([stringMatching(/password/)]));
    const over = await send(bodyOf(64 * 1024 + 1));
    expect(over.status).toBe(413);
    expect(over.body).toEqual(TOO_LARGE);
  });

  it('answers 413 to a small gzip body that inflates past the limit', async () => {
    const body = gzipSync(JSON.stringify({ email: 'bomb@example.com', password: 'x'.repeat(1_000_000) }));
    expect(body.length).toBeLessThan(8_000);
    // fetch, as supertest would send a Buffer as JSON.
    const response = await fetch(`${server.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(TOO_LARGE);
  });

  it('answers 404 in JSON to an unknown route', async () => {
    const response = await server.http().get('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

/** Swagger UI keeps pasted tokens in the browser's storage only outside production. */
describe('Swagger UI', () => {
  async function initScript(production: boolean): Promise<string> {
    const moduleRef = await Test.createTestingModule({ imports: [HttpPlatformModule] }).compile();
    const app = configureHttpApp(
      moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false }),
    );
    try {
      serveApiDocs(app, { title: 'Docs', description: 'Test', bearerSchemes: { token: 'A token' } }, { production });
      await app.init();
      const response = await supertest(app.getHttpServer()).get('/docs/swagger-ui-init.js').expect(200);
      return response.text;
    } finally {
      await app.close();
    }
  }

  it('does not persist authorization in production', async () => {
    expect(await initScript(true)).toMatch(/"persistAuthorization":\s*false/);
  });

  it('persists authorization outside production', async () => {
    expect(await initScript(false)).toMatch(/"persistAuthorization":\s*true/);
  });
});
