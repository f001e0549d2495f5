import { createHash, randomUUID } from 'node:crypto';
import { generateKeyPair, KEY_ALGORITHM, toBase64Url } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { startServer, type RunningApp } from './support/apps.js';
import { openChallenge, passSessionChallenge, putPublicKey } from './support/client.js';
import { bearer, registerAndLogin, type TestUser } from './support/users.js';
import { bodyOf, errorOf } from './support/body.js';

/** Order-8 point of Curve25519 (RFC 7748 small-subgroup), and its friends. */
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

describe('public keys: putPublicKey, getPublicKeyForUser', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  /** A user whose key is confirmed and whose session is secured. */
  async function securedUser(): Promise<TestUser> {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    await passSessionChallenge(server, user.sessionToken, keys);
    return user;
  }

  describe('PUT /api/user/public-key', () => {
    it('stores a pending key and answers 200 with its fingerprint', async () => {
      const user = await registerAndLogin(server.http);
      const { publicKey } = await generateKeyPair();
      const response = await putPublicKey(server, user, publicKey);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        algorithm: KEY_ALGORITHM,
        publicKey: toBase64Url(publicKey),
        fingerprint: createHash('sha256').update(publicKey).digest('hex'),
        confirmed: false,
      });
    });

    it('replaces a pending key, and a challenge sealed to the old key then fails with 403', async () => {
      const user = await registerAndLogin(server.http);
      const first = await generateKeyPair();
      await putPublicKey(server, user, first.publicKey).expect(200);
      const answer = await openChallenge(server, user.sessionToken, first);

      const second = await generateKeyPair();
      const replaced = await putPublicKey(server, user, second.publicKey);
      expect(replaced.status).toBe(200);
      expect(bodyOf<ServerApi.PublicKeyResponse>(replaced).publicKey).toBe(toBase64Url(second.publicKey));

      const response = await server
        .http()
        .post('/api/user/session-challenge/answer')
        .set(bearer(user.sessionToken))
        .send(answer);
      expect(response.status).toBe(403);
      const me = await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
      expect(me.body).toMatchObject({ hasKeyPair: false, secured: false });
    });

    it('can be replaced from another of the user’s sessions while pending', async () => {
      const user = await registerAndLogin(server.http);
      await putPublicKey(server, user, (await generateKeyPair()).publicKey).expect(200);
      const other = {
        ...user,
        sessionToken: bodyOf<ServerApi.LoginResponse>(
          await server.http().post('/api/auth/login').send({ email: user.email, password: user.password }),
        ).sessionToken,
      };
      await putPublicKey(server, other, (await generateKeyPair()).publicKey).expect(200);
    });

    it('answers 409 once the key is confirmed, and keeps the confirmed key', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      await passSessionChallenge(server, user.sessionToken, keys);

      const response = await putPublicKey(server, user, (await generateKeyPair()).publicKey);
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      const reader = await securedUser();
      const stored = await server
        .http()
        .get(`/api/users/${user.userId}/public-key`)
        .set(bearer(reader.sessionToken))
        .expect(200);
      expect(bodyOf<ServerApi.UserPublicKeyResponse>(stored).publicKey).toBe(toBase64Url(keys.publicKey));
    });

    it.each(LOW_ORDER_POINTS)('answers 400 for the low-order point %s', async (hex) => {
      const user = await registerAndLogin(server.http);
      const response = await putPublicKey(server, user, Buffer.from(hex, 'hex'));
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toContain('publicKey');
    });

    it.each([
      ['no algorithm', (key: string) => ({ publicKey: key }), 'algorithm'],
      ['another algorithm', (key: string) => ({ algorithm: 'RSA-OAEP', publicKey: key }), 'algorithm'],
      ['no publicKey', () => ({ algorithm: KEY_ALGORITHM }), 'publicKey'],
      [
        '31 bytes',
        (key: string) => ({
          algorithm: KEY_ALGORITHM,
          publicKey: toBase64Url(Buffer.from(key, 'base64url').subarray(1)),
        }),
        'publicKey',
      ],
      [
        '33 bytes',
        (key: string) => ({
          algorithm: KEY_ALGORITHM,
          publicKey: toBase64Url(Buffer.concat([Buffer.from(key, 'base64url'), Buffer.of(1)])),
        }),
        'publicKey',
      ],
      ['padded base64', (key: string) => ({ algorithm: KEY_ALGORITHM, publicKey: `${key}=` }), 'publicKey'],
      [
        'standard base64 alphabet',
        (key: string) => ({
          algorithm: KEY_ALGORITHM,
          publicKey: key.replace(/-/g, '+').replace(/_/g, '/').slice(0, 42) + '+',
        }),
        'publicKey',
      ],
      ['a number', () => ({ algorithm: KEY_ALGORITHM, publicKey: 42 }), 'publicKey'],
      ['an extra field', (key: string) => ({ algorithm: KEY_ALGORITHM, publicKey: key, confirmed: true }), 'confirmed'],
    ])('answers 400 for %s', async (_case, body, field) => {
      const user = await registerAndLogin(server.http);
      const key = toBase64Url((await generateKeyPair()).publicKey);
      const response = await server.http().put('/api/user/public-key').set(bearer(user.sessionToken)).send(body(key));
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toContain(field);
      const me = await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
      expect(bodyOf<ServerApi.UserResponse>(me).hasKeyPair).toBe(false);
    });

    it('answers 401 without a session', async () => {
      const { publicKey } = await generateKeyPair();
      const response = await server
        .http()
        .put('/api/user/public-key')
        .send({ algorithm: KEY_ALGORITHM, publicKey: toBase64Url(publicKey) });
      expect(response.status).toBe(401);
    });
  });

  describe('GET /api/users/{userId}/public-key', () => {
    it('answers 200 with the confirmed key to a secured session', async () => {
      const owner = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, owner, keys.publicKey).expect(200);
      await passSessionChallenge(server, owner.sessionToken, keys);
      const reader = await securedUser();

      const response = await server
        .http()
        .get(`/api/users/${owner.userId}/public-key`)
        .set(bearer(reader.sessionToken));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        userId: owner.userId,
        algorithm: KEY_ALGORITHM,
        publicKey: toBase64Url(keys.publicKey),
        fingerprint: createHash('sha256').update(keys.publicKey).digest('hex'),
      });
    });

    it('answers 404 for a user whose key is only pending, and for an unknown user', async () => {
      const reader = await securedUser();
      const pending = await registerAndLogin(server.http);
      await putPublicKey(server, pending, (await generateKeyPair()).publicKey).expect(200);
      for (const userId of [pending.userId, randomUUID()]) {
        const response = await server.http().get(`/api/users/${userId}/public-key`).set(bearer(reader.sessionToken));
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
    });

    it('answers 403 to a session that is not secured', async () => {
      const owner = await securedUser();
      const unsecured = await registerAndLogin(server.http);
      const response = await server
        .http()
        .get(`/api/users/${owner.userId}/public-key`)
        .set(bearer(unsecured.sessionToken));
      expect(response.status).toBe(403);
      // A new session of a secured user is not secured either.
      const fresh = bodyOf<ServerApi.LoginResponse>(
        await server.http().post('/api/auth/login').send({ email: owner.email, password: owner.password }),
      ).sessionToken;
      await server.http().get(`/api/users/${owner.userId}/public-key`).set(bearer(fresh)).expect(403);
    });

    it('answers 401 without a session', async () => {
      await server.http().get(`/api/users/${randomUUID()}/public-key`).expect(401);
    });

    it('answers 400 for a userId that is not a UUID', async () => {
      const reader = await securedUser();
      const response = await server.http().get('/api/users/not-a-uuid/public-key').set(bearer(reader.sessionToken));
      expect(response.status).toBe(400);
    });
  });
});
