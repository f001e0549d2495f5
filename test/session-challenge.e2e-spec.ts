import { randomBytes, randomUUID } from 'node:crypto';
import { fromBase64Url, generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { startServer, type RunningApp } from './support/apps.js';
import { openChallenge, putPublicKey, type KeyPair } from './support/client.js';
import { expireAll } from './support/time-travel.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';
import { anyString, stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

describe('session challenge: getSessionChallenge, submitSessionChallenge', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  async function userWithKey(): Promise<TestUser & { keys: KeyPair }> {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    return { ...user, keys };
  }

  const submit = (sessionToken: string, body: object) =>
    server.http().post('/api/user/session-challenge/answer').set(bearer(sessionToken)).send(body);

  const me = async (sessionToken: string) =>
    bodyOf<ServerApi.UserResponse>(await server.http().get('/api/user/me').set(bearer(sessionToken)).expect(200));

  describe('POST /api/user/session-challenge', () => {
    it('answers 201 with a token sealed to the user’s key for 60 seconds', async () => {
      const user = await userWithKey();
      const before = Date.now();
      const response = await server.http().post('/api/user/session-challenge').set(bearer(user.sessionToken));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        challengeId: stringMatching(/^[0-9a-f-]{36}$/),
        enc: anyString(),
        ciphertext: anyString(),
        expiresAt: anyString(),
      });
      const challenge = bodyOf<ServerApi.SessionChallengeResponse>(response);
      expect(fromBase64Url(challenge.enc)).toHaveLength(32);
      expect(fromBase64Url(challenge.ciphertext)).toHaveLength(32 + 16);
      const lifetime = Date.parse(challenge.expiresAt) - before;
      expect(lifetime).toBeGreaterThan(55_000);
      expect(lifetime).toBeLessThanOrEqual(61_000);
    });

    it('answers 409 when the user has no public key', async () => {
      const user = await registerAndLogin(server.http);
      const response = await server.http().post('/api/user/session-challenge').set(bearer(user.sessionToken));
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    });

    it('answers 401 without a session', async () => {
      await server.http().post('/api/user/session-challenge').expect(401);
    });
  });

  describe('POST /api/user/session-challenge/answer', () => {
    it('answers 200 {secured: true} to the right token; the session is secured and the key confirmed', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      const response = await submit(user.sessionToken, answer);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ secured: true });
      expect(await me(user.sessionToken)).toMatchObject({ secured: true, hasKeyPair: true });
      const putAgain = await putPublicKey(server, user, (await generateKeyPair()).publicKey);
      expect(putAgain.status).toBe(409);
    });

    it('secures only the session that answered', async () => {
      const user = await userWithKey();
      const other = await login(server.http, user);
      await submit(user.sessionToken, await openChallenge(server, user.sessionToken, user.keys)).expect(200);
      expect(await me(other)).toMatchObject({ secured: false, hasKeyPair: true });
    });

    it('answers 403 to a wrong 32-byte token, and the challenge is spent', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      const wrong = await submit(user.sessionToken, { ...answer, token: randomBytes(32).toString('base64url') });
      expect(wrong.status).toBe(403);
      expect(wrong.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      await submit(user.sessionToken, answer).expect(403);
      expect(await me(user.sessionToken)).toMatchObject({ secured: false, hasKeyPair: false });
    });

    it('answers 403 to a second answer of a passed challenge', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      await submit(user.sessionToken, answer).expect(200);
      await submit(user.sessionToken, answer).expect(403);
    });

    it('answers 403 to an expired challenge', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      await expireAll(server, 'session_challenges');
      await submit(user.sessionToken, answer).expect(403);
      expect(await me(user.sessionToken)).toMatchObject({ secured: false });
    });

    it('answers 403 to another session’s challenge without spending it', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      const otherSession = await login(server.http, user);
      await submit(otherSession, answer).expect(403);
      const stranger = await registerAndLogin(server.http);
      await submit(stranger.sessionToken, answer).expect(403);
      await submit(user.sessionToken, answer).expect(200);
      expect(await me(otherSession)).toMatchObject({ secured: false });
    });

    it('answers 403 when the key it was sealed to has been replaced', async () => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      await putPublicKey(server, user, (await generateKeyPair()).publicKey).expect(200);
      await submit(user.sessionToken, answer).expect(403);
    });

    it('answers 403 to a challenge that does not exist', async () => {
      const user = await userWithKey();
      await submit(user.sessionToken, {
        challengeId: randomUUID(),
        token: randomBytes(32).toString('base64url'),
      }).expect(403);
    });

    it.each([
      [
        'a token of 31 bytes',
        (a: { challengeId: string; token: string }) => ({ ...a, token: randomBytes(31).toString('base64url') }),
        'token',
      ],
      [
        'a token of 33 bytes',
        (a: { challengeId: string; token: string }) => ({ ...a, token: randomBytes(33).toString('base64url') }),
        'token',
      ],
      [
        'a token that is not base64url',
        (a: { challengeId: string; token: string }) => ({ ...a, token: `${a.token.slice(0, 42)}!` }),
        'token',
      ],
      ['no token', (a: { challengeId: string; token: string }) => ({ challengeId: a.challengeId }), 'token'],
      [
        'a challengeId that is not a UUID',
        (a: { challengeId: string; token: string }) => ({ ...a, challengeId: 'abc' }),
        'challengeId',
      ],
      ['an extra field', (a: { challengeId: string; token: string }) => ({ ...a, secured: true }), 'secured'],
    ])('answers 400 to %s without spending the challenge', async (_case, body, field) => {
      const user = await userWithKey();
      const answer = await openChallenge(server, user.sessionToken, user.keys);
      const response = await submit(user.sessionToken, body(answer));
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toContain(field);
      await submit(user.sessionToken, answer).expect(200);
    });

    it('answers 401 without a session', async () => {
      await server
        .http()
        .post('/api/user/session-challenge/answer')
        .send({ challengeId: randomUUID(), token: 'A'.repeat(43) })
        .expect(401);
    });
  });
});
