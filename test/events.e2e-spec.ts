import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { closeAll, startServices, type RunningApp } from './support/apps.js';
import { createKeyPair, passSessionChallenge } from './support/client.js';
import { bearer, login, randomPassword, registerAndLogin, uniqueEmail } from './support/users.js';
import { anyString, stringMatching } from './support/matchers.js';
import { bodyOf } from './support/body.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('server events: GET /api/user/events', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  const events = (sessionToken: string, cursor?: string) =>
    server
      .http()
      .get('/api/user/events')
      .query(cursor ? { cursor } : {})
      .set(bearer(sessionToken));
  const types = async (sessionToken: string) =>
    bodyOf<ServerApi.EventsPage>(await events(sessionToken).expect(200)).items.map((e) => e.type);

  it('records the account’s life newest first, with where it came from, never a secret', async () => {
    const email = uniqueEmail('events');
    const password = randomPassword();
    const agent = 'events-test/1.0';
    const send = (path: string, body: object) => server.http().post(path).set('User-Agent', agent).send(body);
    const registered = bodyOf<ServerApi.RegisterResponse>(
      await send('/api/auth/register', { email, password }).expect(201),
    );
    const wrong = randomPassword();
    await send('/api/auth/login', { email, password: wrong }).expect(401);
    const first = bodyOf<ServerApi.LoginResponse>(
      await send('/api/auth/login', { email, password }).expect(200),
    ).sessionToken;
    const user = { email, password, userId: registered.userId, sessionToken: first };
    const keys = await createKeyPair(server, keyserver, user);
    const other = await login(server.http, user);
    await server.http().post('/api/auth/logout').set(bearer(other)).expect(204);

    const response = await events(first).expect(200);
    const page = bodyOf<ServerApi.EventsPage>(response);
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e) => e.type)).toEqual([
      'session.ended',
      'login.succeeded',
      'session.secured',
      'key.confirmed',
      'public-key.put',
      'login.succeeded',
      'login.failed',
      'registered',
    ]);
    const registeredEvent = page.items.at(-1);
    expect(registeredEvent).toEqual({
      type: 'registered',
      createdAt: stringMatching(ISO),
      clientAddress: '127.0.0.1',
      userAgent: agent,
    });
    const text = JSON.stringify(response.body);
    for (const secret of [password, wrong, first, other]) expect(text).not.toContain(secret);

    // A second challenge on a secured session secures nothing new and confirms nothing new.
    await passSessionChallenge(server, first, keys);
    expect((await types(first)).slice(0, 1)).toEqual(['session.ended']);
  });

  it('records no failed login for an email that has no account, and answers it the same', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    const before = await types(user.sessionToken);
    await server
      .http()
      .post('/api/auth/login')
      .send({ email: uniqueEmail('nobody'), password: randomPassword() })
      .expect(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await types(user.sessionToken)).toEqual(before);
  });

  it('records session.ended for each session another one ends', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    await login(server.http, user);
    await login(server.http, user);
    await server.http().delete('/api/user/sessions').set(bearer(user.sessionToken)).expect(204);
    expect((await types(user.sessionToken)).slice(0, 2)).toEqual(['session.ended', 'session.ended']);
  });

  it('answers 403 to an unsecured session, 401 without one, and 400 to a cursor it did not issue', async () => {
    const user = await registerAndLogin(server.http);
    const unsecured = await events(user.sessionToken).expect(403);
    expect(unsecured.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: stringMatching(/not secured/),
    });
    await server.http().get('/api/user/events').expect(401);
    await createKeyPair(server, keyserver, user);
    const malformed = await events(user.sessionToken, 'not-a-cursor').expect(400);
    expect(malformed.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  // 50 logins are 50 scrypt hashes, one after another: most of a minute alone, more on a busy machine.
  it('pages by 50, newest first, each event once', { timeout: 180_000 }, async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    // 1 registered, 1 login.succeeded, public-key.put, key.confirmed, session.secured; 50 more logins.
    for (let i = 0; i < 50; i += 1)
      await server.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200);
    const first = bodyOf<ServerApi.EventsPage>(await events(user.sessionToken).expect(200));
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toEqual(anyString());
    const second = bodyOf<ServerApi.EventsPage>(
      await events(user.sessionToken, first.nextCursor ?? undefined).expect(200),
    );
    expect(second.items.map((e) => e.type)).toEqual([
      'session.secured',
      'key.confirmed',
      'public-key.put',
      'login.succeeded',
      'registered',
    ]);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((e) => e.createdAt);
    expect([...all].sort().reverse()).toEqual(all);
  });
});
