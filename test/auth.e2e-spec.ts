import { fingerprint, generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { startServer, type RunningApp } from './support/apps.js';
import { passSessionChallenge, putPublicKey } from './support/client.js';
import { expireAll } from './support/time-travel.js';
import { bearer, randomPassword, registerAndLogin, uniqueEmail } from './support/users.js';
import { stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('auth: register, login, logout, me', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  describe('POST /api/auth/register', () => {
    it('creates an account and answers 201 with its userId', async () => {
      const response = await server
        .http()
        .post('/api/auth/register')
        .send({ email: uniqueEmail(), password: randomPassword() });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ userId: stringMatching(UUID) });
    });

    it('answers 409 for an email that is taken, whatever its case and surrounding spaces', async () => {
      const email = uniqueEmail('Taken');
      await server.http().post('/api/auth/register').send({ email, password: randomPassword() }).expect(201);
      const response = await server
        .http()
        .post('/api/auth/register')
        .send({ email: `  ${email.toUpperCase()} `, password: randomPassword() });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    });

    it.each([
      ['no email', { password: 'long enough secret' }, 'email'],
      ['a malformed email', { email: 'not-an-email', password: 'long enough secret' }, 'email'],
      [
        'an email over 254 characters',
        { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com`, password: 'long enough secret' },
        'email',
      ],
      ['an email that is not a string', { email: 42, password: 'long enough secret' }, 'email'],
      [
        'an email with a bidi override',
        { email: '"ab\u202ecd"@example.com', password: 'long enough secret' },
        'invisible',
      ],
      [
        'an email with a zero-width space',
        { email: '"a\u200bb"@example.com', password: 'long enough secret' },
        'invisible',
      ],
      [
        'an email with a line separator',
        { email: '"a\u2028b"@example.com', password: 'long enough secret' },
        'invisible',
      ],
      ['no password', { email: 'x@example.com' }, 'password'],
      ['a password under 8 characters', { email: 'x@example.com', password: 'short' }, 'password'],
      ['a password over 1024 characters', { email: 'x@example.com', password: 'p'.repeat(1025) }, 'password'],
      ['a password that is not a string', { email: 'x@example.com', password: 12345678 }, 'password'],
      // Refused as JSON no UTF-8 can hold, before any field is read.
      ['a password with a lone surrogate', { email: 'x@example.com', password: 'abcd\ud800efgh' }, 'lone surrogate'],
      ['a password with a NUL', { email: 'x@example.com', password: 'abcd\u0000efgh' }, 'NUL character'],
      [
        'a field the operation does not take',
        { email: 'x@example.com', password: 'long enough secret', admin: true },
        'admin',
      ],
    ])('answers 400 for %s', async (_case, body, field) => {
      const response = await server.http().post('/api/auth/register').send(body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(errorOf(response).message)).toContain(field);
    });

    it('accepts a password of exactly 8 and of exactly 1024 characters', async () => {
      for (const password of ['p'.repeat(8), 'p'.repeat(1024)]) {
        await server.http().post('/api/auth/register').send({ email: uniqueEmail(), password }).expect(201);
      }
    });

    it('stores the email trimmed and lower-cased', async () => {
      const email = uniqueEmail('MiXeD');
      const password = randomPassword();
      await server
        .http()
        .post('/api/auth/register')
        .send({ email: ` ${email} `, password })
        .expect(201);
      const login = await server
        .http()
        .post('/api/auth/login')
        .send({ email: email.toLowerCase(), password })
        .expect(200);
      const me = await server
        .http()
        .get('/api/user/me')
        .set(bearer(bodyOf<ServerApi.LoginResponse>(login).sessionToken))
        .expect(200);
      expect(bodyOf<ServerApi.UserResponse>(me).email).toBe(email.toLowerCase());
    });
  });

  describe('POST /api/auth/login', () => {
    it('answers 200 with a session token, the userId, its expiry, hasKeyPair, a device token and the KDF floor and recommendation', async () => {
      const email = uniqueEmail();
      const password = randomPassword();
      const registered = bodyOf<ServerApi.RegisterResponse>(
        await server.http().post('/api/auth/register').send({ email, password }).expect(201),
      );
      const before = Date.now();
      const response = await server.http().post('/api/auth/login').send({ email: email.toUpperCase(), password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        sessionToken: stringMatching(BASE64URL_32),
        userId: registered.userId,
        expiresAt: stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        hasKeyPair: false,
        deviceToken: stringMatching(BASE64URL_32),
        kdfFloor: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
        kdfRecommended: { memoryKiB: 65536, iterations: 3, parallelism: 1 },
      });
      const session = bodyOf<ServerApi.LoginResponse>(response);
      expect(session.deviceToken).not.toBe(session.sessionToken);
      const lifetime = Date.parse(session.expiresAt) - before;
      expect(lifetime).toBeGreaterThan(12 * 3600_000 - 60_000);
      expect(lifetime).toBeLessThanOrEqual(12 * 3600_000 + 60_000);
    });

    it('answers an identical 401 for an unknown email and for a wrong password', async () => {
      const user = await registerAndLogin(server.http);
      const wrongPassword = await server
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: randomPassword() });
      const unknownEmail = await server
        .http()
        .post('/api/auth/login')
        .send({ email: uniqueEmail(), password: user.password });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(unknownEmail.body).toEqual(wrongPassword.body);
    });

    it('answers 400 for a malformed body', async () => {
      const response = await server.http().post('/api/auth/login').send({ email: 'x@example.com' });
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toContain('password');
    });

    it('opens independent sessions on every login', async () => {
      const user = await registerAndLogin(server.http);
      const second = await server
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      const secondToken = bodyOf<ServerApi.LoginResponse>(second).sessionToken;
      expect(secondToken).not.toBe(user.sessionToken);
      await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
      await server.http().get('/api/user/me').set(bearer(secondToken)).expect(200);
    });
  });

  describe('GET /api/user/me', () => {
    it('answers 200 with the user and the state of this session', async () => {
      const user = await registerAndLogin(server.http);
      const response = await server.http().get('/api/user/me').set(bearer(user.sessionToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        userId: user.userId,
        email: user.email,
        hasKeyPair: false,
        publicKeyFingerprint: null,
        secured: false,
      });
    });

    it('answers the confirmed key’s fingerprint, and none for a pending key', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      const pending = await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
      expect(pending.body).toMatchObject({ hasKeyPair: false, publicKeyFingerprint: null });
      await passSessionChallenge(server, user.sessionToken, keys);
      const confirmed = await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
      expect(confirmed.body).toMatchObject({
        hasKeyPair: true,
        publicKeyFingerprint: await fingerprint(keys.publicKey),
        secured: true,
      });
    });

    it.each([
      ['no Authorization header', {}],
      ['a token that was never issued', bearer('A'.repeat(43))],
      ['a malformed token', bearer('not a token')],
      ['another scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
    ])('answers 401 for %s', async (_case, headers) => {
      const response = await server.http().get('/api/user/me').set(headers);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });
  });

  it('refuses a session past its expiry with 401 on every session route', async () => {
    const user = await registerAndLogin(server.http);
    await expireAll(server, 'sessions');
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(401);
    await server.http().post('/api/user/access-token').set(bearer(user.sessionToken)).expect(401);
    await server.http().post('/api/auth/logout').set(bearer(user.sessionToken)).expect(401);
  });

  describe('POST /api/auth/logout', () => {
    it('answers 204 and revokes only that session', async () => {
      const user = await registerAndLogin(server.http);
      const other = await server
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password })
        .expect(200);
      const response = await server.http().post('/api/auth/logout').set(bearer(user.sessionToken));
      expect(response.status).toBe(204);
      await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(401);
      await server.http().post('/api/auth/logout').set(bearer(user.sessionToken)).expect(401);
      await server
        .http()
        .get('/api/user/me')
        .set(bearer(bodyOf<ServerApi.LoginResponse>(other).sessionToken))
        .expect(200);
    });

    it('answers 401 without a session', async () => {
      await server.http().post('/api/auth/logout').expect(401);
    });
  });
});
