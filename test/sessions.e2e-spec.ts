import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { closeAll, startServices, TEST_KEYSERVER_API_KEY, type RunningApp } from './support/apps.js';
import { createKeyPair, getAccessToken, passSessionChallenge, type KeyPair } from './support/client.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';
import { stringMatching } from './support/matchers.js';
import { bodyOf } from './support/body.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('sessions: list and end them from a secured session', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  /** A user whose first session is secured (the key confirmed), and the key. */
  async function securedUser(): Promise<{ user: TestUser; keys: KeyPair }> {
    const user = await registerAndLogin(server.http);
    const keys = await createKeyPair(server, keyserver, user);
    return { user, keys };
  }
  const list = (sessionToken: string) => server.http().get('/api/user/sessions').set(bearer(sessionToken));
  const end = (sessionToken: string, id: string) =>
    server.http().delete(`/api/user/sessions/${id}`).set(bearer(sessionToken));
  const endOthers = (sessionToken: string) => server.http().delete('/api/user/sessions').set(bearer(sessionToken));
  const validate = (userId: string, accessToken: string) =>
    server.http().post('/keyserver/user/validate').set(bearer(TEST_KEYSERVER_API_KEY)).send({ userId, accessToken });

  it('lists the user’s live sessions, newest first, with where they came from, never a token', async () => {
    const { user } = await securedUser();
    const second = await server
      .http()
      .post('/api/auth/login')
      .set('User-Agent', 'second-device/1.0')
      .send({ email: user.email, password: user.password })
      .expect(200);
    const response = await list(user.sessionToken).expect(200);
    const { items } = bodyOf<ServerApi.SessionsResponse>(response);
    expect(items).toHaveLength(2);
    const [newest, oldest] = items;
    expect(newest).toEqual({
      id: stringMatching(/^[0-9a-f-]{36}$/),
      createdAt: stringMatching(ISO),
      lastUsedAt: stringMatching(ISO),
      expiresAt: stringMatching(ISO),
      secured: false,
      clientAddress: '127.0.0.1',
      userAgent: 'second-device/1.0',
      current: false,
    });
    expect(oldest).toMatchObject({ secured: true, current: true });
    expect(JSON.stringify(response.body)).not.toContain(user.sessionToken);
    expect(JSON.stringify(response.body)).not.toContain(bodyOf<ServerApi.LoginResponse>(second).sessionToken);
  });

  it('answers 403 to an unsecured session, and 401 without one', async () => {
    const { user } = await securedUser();
    const unsecured = await login(server.http, user);
    for (const request of [list(unsecured), end(unsecured, randomUUID()), endOthers(unsecured)]) {
      const response = await request;
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: stringMatching(/not secured/),
      });
    }
    await server.http().get('/api/user/sessions').expect(401);
  });

  it('ends one session: its token, unspent access tokens and challenges die with it', async () => {
    const { user, keys } = await securedUser();
    const other = await login(server.http, user);
    const otherAccessToken = await getAccessToken(server, { ...user, sessionToken: other });
    const body = bodyOf<ServerApi.SessionsResponse>(await list(user.sessionToken).expect(200));
    const otherId = body.items.find((item) => !item.current)!.id;

    await end(user.sessionToken, otherId).expect(204);
    await server.http().get('/api/user/me').set(bearer(other)).expect(401);
    await validate(user.userId, otherAccessToken).expect(403);
    expect(bodyOf<ServerApi.SessionsResponse>(await list(user.sessionToken).expect(200)).items).toHaveLength(1);
    // Ended is ended: a second time, the id is unknown.
    await end(user.sessionToken, otherId).expect(404);
    // The current session is untouched and still secured.
    await passSessionChallenge(server, user.sessionToken, keys);
  });

  it('answers the same 404 for another user’s session and an unknown id, and 400 for a malformed one', async () => {
    const { user } = await securedUser();
    const { user: stranger } = await securedUser();
    const strangersId = bodyOf<ServerApi.SessionsResponse>(await list(stranger.sessionToken).expect(200)).items[0].id;
    const foreign = await end(user.sessionToken, strangersId).expect(404);
    const unknown = await end(user.sessionToken, randomUUID()).expect(404);
    expect(foreign.body).toEqual(unknown.body);
    await server.http().get('/api/user/me').set(bearer(stranger.sessionToken)).expect(200);
    const malformed = await end(user.sessionToken, 'not-a-uuid').expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('ends every other session, and keeps the current one', async () => {
    const { user } = await securedUser();
    const others = [await login(server.http, user), await login(server.http, user)];
    const { user: stranger } = await securedUser();
    await endOthers(user.sessionToken).expect(204);
    for (const token of others) await server.http().get('/api/user/me').set(bearer(token)).expect(401);
    const body = bodyOf<ServerApi.SessionsResponse>(await list(user.sessionToken).expect(200));
    expect(body.items).toEqual([expect.objectContaining({ current: true, secured: true })]);
    // Another user's sessions are not this user's to end.
    await server.http().get('/api/user/me').set(bearer(stranger.sessionToken)).expect(200);
  });

  it('lets the current session end itself', async () => {
    const { user } = await securedUser();
    const body = bodyOf<ServerApi.SessionsResponse>(await list(user.sessionToken).expect(200));
    await end(user.sessionToken, body.items[0].id).expect(204);
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(401);
  });
});
