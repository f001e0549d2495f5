import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { closeAll, startKeyserver, startServer, TEST_KEYSERVER_API_KEY, type RunningApp } from './support/apps.js';
import { createKeyPair, getAccessToken } from './support/client.js';
import { bearer, login, randomPassword, registerAndLogin, type TestUser } from './support/users.js';
import { bodyOf, errorOf } from './support/body.js';

describe('account deletion: POST /api/user/delete', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    // Low enough for a test to reach the email + address limit with wrong current passwords.
    server = await startServer({ RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '3/15m' });
    keyserver = await startKeyserver(server.url);
  });
  afterAll(() => closeAll(keyserver, server));

  const deleteAccount = (sessionToken: string, currentPassword: string) =>
    server.http().post('/api/user/delete').set(bearer(sessionToken)).send({ currentPassword });
  const loginStatus = async (user: Pick<TestUser, 'email' | 'password'>) =>
    (await server.http().post('/api/auth/login').send({ email: user.email, password: user.password })).status;

  async function securedUser(): Promise<TestUser> {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    return user;
  }

  it('deletes the user, sessions, tokens and key with the right password, and frees the email', async () => {
    const user = await securedUser();
    const otherSession = await login(server.http, user);
    const accessToken = await getAccessToken(server, user);
    await deleteAccount(user.sessionToken, user.password).expect(204);

    for (const token of [user.sessionToken, otherSession])
      await server.http().get('/api/user/me').set(bearer(token)).expect(401);
    expect(await loginStatus(user)).toBe(401);
    await server
      .http()
      .post('/keyserver/user/validate')
      .set(bearer(TEST_KEYSERVER_API_KEY))
      .send({ userId: user.userId, accessToken })
      .expect(403);

    // The email registers again, as a new account with a history of its own.
    const again = await registerAndLogin(server.http, user.email);
    expect(again.userId).not.toBe(user.userId);
    await createKeyPair(server, keyserver, again);
    await server.http().get(`/api/users/${user.userId}/public-key`).set(bearer(again.sessionToken)).expect(404);
    const events = await server.http().get('/api/user/events').set(bearer(again.sessionToken)).expect(200);
    expect(bodyOf<ServerApi.EventsPage>(events).items.map((e) => e.type)).toEqual([
      'session.secured',
      'key.confirmed',
      'public-key.put',
      'login.succeeded',
      'registered',
    ]);
  });

  it('answers 403 to a wrong current password, deletes nothing, and keeps the session', async () => {
    const user = await securedUser();
    const response = await deleteAccount(user.sessionToken, randomPassword()).expect(403);
    expect(response.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'The current password is wrong' });
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
    expect(await loginStatus(user)).toBe(200);
  });

  it('counts a wrong current password as a failed login: past the limit, 429 even for the right one', async () => {
    const user = await securedUser();
    for (let i = 0; i < 3; i += 1) await deleteAccount(user.sessionToken, randomPassword()).expect(403);
    const refused = await deleteAccount(user.sessionToken, user.password).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
    // Like a login from this address, which the same counter now refuses.
    expect(await loginStatus(user)).toBe(429);
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
  });

  it('refuses an unsecured session with 403, and a malformed body with 400, deleting nothing', async () => {
    const user = await securedUser();
    const unsecured = await login(server.http, user);
    const response = await deleteAccount(unsecured, user.password).expect(403);
    expect(errorOf(response).message).toMatch(/not secured/);
    for (const body of [
      {},
      { currentPassword: 'short' },
      { currentPassword: 5 },
      { currentPassword: user.password, extra: 1 },
    ]) {
      const malformed = await server.http().post('/api/user/delete').set(bearer(user.sessionToken)).send(body);
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
  });
});
