import { randomUUID } from 'node:crypto';
import { fingerprint, generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { startServer, TEST_KEYSERVER_API_KEY, type RunningApp } from './support/apps.js';
import { onPostgres } from './support/database.js';
import { getAccessToken, passSessionChallenge, putPublicKey } from './support/client.js';
import { expireAll } from './support/time-travel.js';
import { bearer, registerAndLogin } from './support/users.js';
import { anyString, stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

describe('access tokens: getAccessToken, validateUser', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  const validate = (body: object, apiKey = TEST_KEYSERVER_API_KEY) =>
    server.http().post('/keyserver/user/validate').set(bearer(apiKey)).send(body);

  describe('POST /api/user/access-token', () => {
    it('answers 201 with a one-time token that expires in 60 seconds', async () => {
      const user = await registerAndLogin(server.http);
      const before = Date.now();
      const response = await server.http().post('/api/user/access-token').set(bearer(user.sessionToken));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        accessToken: stringMatching(/^[A-Za-z0-9_-]{43}$/),
        expiresAt: anyString(),
      });
      const lifetime = Date.parse(bodyOf<ServerApi.AccessTokenResponse>(response).expiresAt) - before;
      expect(lifetime).toBeGreaterThan(55_000);
      expect(lifetime).toBeLessThanOrEqual(61_000);
    });

    it('answers 401 without a session', async () => {
      await server.http().post('/api/user/access-token').expect(401);
    });

    it('answers 400 to a body, since the operation takes none', async () => {
      const user = await registerAndLogin(server.http);
      const response = await server
        .http()
        .post('/api/user/access-token')
        .set(bearer(user.sessionToken))
        .send({ userId: user.userId });
      expect(response.status).toBe(400);
    });
  });

  describe('POST /keyserver/user/validate', () => {
    it('answers 200 {valid, userId, keyConfirmed: false} for a fresh token of that user', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const response = await validate({ userId: user.userId, accessToken });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        valid: true,
        userId: user.userId,
        keyConfirmed: false,
        publicKeyFingerprint: null,
        sessionSecured: false,
        keyVersion: null,
        committedKeyChange: null,
        abandonedKeyChangeId: null,
      });
    });

    it('answers the current key’s fingerprint, pending or confirmed', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      const pending = await validate({ userId: user.userId, accessToken: await getAccessToken(server, user) }).expect(
        200,
      );
      expect(pending.body).toMatchObject({
        keyConfirmed: false,
        publicKeyFingerprint: await fingerprint(keys.publicKey),
      });
    });

    it('accepts the userId in upper case as the same user', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const response = await validate({ userId: user.userId.toUpperCase(), accessToken }).expect(200);
      expect(bodyOf<ServerApi.ValidateUserResponse>(response).userId).toBe(user.userId);
    });

    it('answers 403 to a token whose session has logged out, or expired', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      await server.http().post('/api/auth/logout').set(bearer(user.sessionToken)).expect(204);
      await validate({ userId: user.userId, accessToken }).expect(403);

      const other = await registerAndLogin(server.http);
      const otherToken = await getAccessToken(server, other);
      await expireAll(server, 'sessions');
      await validate({ userId: other.userId, accessToken: otherToken }).expect(403);
    });

    it('reports keyConfirmed: true and keyVersion 1 once the user’s key is confirmed', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      const beforeConfirm = await validate({ userId: user.userId, accessToken: await getAccessToken(server, user) });
      expect(beforeConfirm.body).toMatchObject({ keyConfirmed: false, keyVersion: null });
      await passSessionChallenge(server, user.sessionToken, keys);
      const afterConfirm = await validate({ userId: user.userId, accessToken: await getAccessToken(server, user) });
      expect(afterConfirm.body).toEqual({
        valid: true,
        userId: user.userId,
        keyConfirmed: true,
        publicKeyFingerprint: await fingerprint(keys.publicKey),
        sessionSecured: true,
        keyVersion: 1,
        committedKeyChange: null,
        abandonedKeyChangeId: null,
      });
    });

    it('records a change named in abandonKeyChangeId as abandoned, for a secured session only, and says so', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      const changeId = randomUUID();
      // Not secured yet: nothing is recorded, and the answer says so.
      const unsecured = await validate({
        userId: user.userId,
        accessToken: await getAccessToken(server, user),
        abandonKeyChangeId: changeId,
      });
      expect(unsecured.status).toBe(200);
      expect(bodyOf<ServerApi.ValidateUserResponse>(unsecured).abandonedKeyChangeId).toBeNull();
      await passSessionChallenge(server, user.sessionToken, keys);
      for (let i = 0; i < 2; i += 1) {
        const secured = await validate({
          userId: user.userId,
          accessToken: await getAccessToken(server, user),
          abandonKeyChangeId: changeId.toUpperCase(),
        });
        expect(secured.body).toMatchObject({
          sessionSecured: true,
          committedKeyChange: null,
          abandonedKeyChangeId: changeId,
        });
      }
      const events = await server.http().get('/api/user/events').set(bearer(user.sessionToken)).expect(200);
      expect(
        bodyOf<ServerApi.EventsPage>(events).items.filter(
          (item: { type: string }) => item.type === 'key-change.abandoned',
        ),
      ).toHaveLength(1);
      // Another user cannot claim the id: it is recorded for its first user only.
      const stranger = await registerAndLogin(server.http);
      const strangerKeys = await generateKeyPair();
      await putPublicKey(server, stranger, strangerKeys.publicKey).expect(200);
      await passSessionChallenge(server, stranger.sessionToken, strangerKeys);
      const claimed = await validate({
        userId: stranger.userId,
        accessToken: await getAccessToken(server, stranger),
        abandonKeyChangeId: changeId,
      });
      expect(bodyOf<ServerApi.ValidateUserResponse>(claimed).abandonedKeyChangeId).toBeNull();
    });

    it('answers 400 to an abandonKeyChangeId that is not a UUID, without spending the token', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const response = await validate({ userId: user.userId, accessToken, abandonKeyChangeId: 'nope' });
      expect(response.status).toBe(400);
      expect(errorOf(response).message).toEqual(expect.arrayContaining([stringMatching(/abandonKeyChangeId/)]));
      expect((await validate({ userId: user.userId, accessToken })).status).toBe(200);
    });

    it('answers 403 to a token it has already validated', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      await validate({ userId: user.userId, accessToken }).expect(200);
      const replay = await validate({ userId: user.userId, accessToken });
      expect(replay.status).toBe(403);
      expect(replay.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('answers 403 to another user’s token, and spends it', async () => {
      const alice = await registerAndLogin(server.http);
      const bob = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, alice);
      await validate({ userId: bob.userId, accessToken }).expect(403);
      await validate({ userId: alice.userId, accessToken }).expect(403);
    });

    it('answers 403 to an expired token, and to one never issued', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      await expireAll(server, 'access_tokens');
      await validate({ userId: user.userId, accessToken }).expect(403);
      await validate({ userId: user.userId, accessToken: 'A'.repeat(43) }).expect(403);
    });

    it('is spent by any validation, even a refused one', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      await validate({ userId: randomUUID(), accessToken }).expect(403);
      await validate({ userId: user.userId, accessToken }).expect(403);
    });

    it.each([
      ['no Authorization header', undefined],
      ['a wrong API key', 'wrong-key-wrong-key-wrong-key-wrong-key'],
      ['a session token in place of the API key', 'session'],
    ])('answers 401 for %s, without spending the token', async (_case, apiKey) => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      let request = server.http().post('/keyserver/user/validate');
      if (apiKey) request = request.set(bearer(apiKey === 'session' ? user.sessionToken : apiKey));
      const response = await request.send({ userId: user.userId, accessToken });
      expect(response.status).toBe(401);
      await validate({ userId: user.userId, accessToken }).expect(200);
    });

    it.each([
      ['no userId', (userId: string, accessToken: string) => ({ accessToken }), 'userId'],
      [
        'a userId that is not a UUID',
        (_u: string, accessToken: string) => ({ userId: 'alice', accessToken }),
        'userId',
      ],
      ['no accessToken', (userId: string) => ({ userId }), 'accessToken'],
      [
        'an accessToken of 31 bytes',
        (userId: string, accessToken: string) => ({ userId, accessToken: accessToken.slice(0, 42) }),
        'accessToken',
      ],
      ['an accessToken that is not a string', (userId: string) => ({ userId, accessToken: 7 }), 'accessToken'],
      ['an extra field', (userId: string, accessToken: string) => ({ userId, accessToken, force: true }), 'force'],
    ])('answers 400 for %s, without spending the token', async (_case, body, field) => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const response = await validate(body(user.userId, accessToken));
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toContain(field);
      await validate({ userId: user.userId, accessToken }).expect(200);
    });

    it('gives exactly one 200 to 50 concurrent validations of one token', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => validate({ userId: user.userId, accessToken })),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 403)).toHaveLength(49);
    });

    // Two instances on one database: single use is the database's doing, not a process's.
    it.runIf(onPostgres)('gives exactly one 200 to 50 concurrent validations across two server instances', async () => {
      const twin = await startServer({ DATABASE_URL: server.databaseUrl! });
      try {
        const user = await registerAndLogin(server.http);
        const accessToken = await getAccessToken(server, user);
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? twin : server)
              .http()
              .post('/keyserver/user/validate')
              .set(bearer(TEST_KEYSERVER_API_KEY))
              .send({ userId: user.userId, accessToken }),
          ),
        );
        expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
        expect(responses.filter((response) => response.status === 403)).toHaveLength(49);
      } finally {
        await twin.close();
      }
    });
  });
});
