import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '@app/crypto';
import { EventsPruner } from '@app/platform';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi } from '@app/api-client';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { encryptedBlob, getAccessToken, type KeyPair, passSessionChallenge, putPublicKey } from './support/client.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';
import { stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

const AGENT = 'kx-test/1.0 (key events)';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('key events: listKeyEvents (keyserver, validating with a real server)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  /** Two reads and writes of a user's key an hour. */
  let limited: RunningApp;
  beforeAll(async () => {
    server = await startServer();
    keyserver = await startKeyserver(server.url);
    limited = await startKeyserver(server.url, { RATE_LIMIT_KEYS_PER_USER: '2/1h' });
  });
  afterAll(() => closeAll(limited, keyserver, server));

  /** A user with a pending public key whose blob `ks` stores (one `key.stored`). */
  async function userWithStoredKey(
    ks: RunningApp,
  ): Promise<{ user: TestUser; keys: KeyPair; blob: Awaited<ReturnType<typeof encryptedBlob>> }> {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const blob = await encryptedBlob(user, keys);
    expect((await putKey(ks, user, blob, 'kx-test/put')).status).toBe(201);
    return { user, keys, blob };
  }

  /** As above, and the user's session secured (the key confirmed). */
  async function securedUser(ks: RunningApp) {
    const stored = await userWithStoredKey(ks);
    await passSessionChallenge(server, stored.user.sessionToken, stored.keys);
    return stored;
  }

  async function putKey(ks: RunningApp, user: TestUser, body: object, agent = AGENT) {
    const token = await getAccessToken(server, user);
    return ks.http().post(`/api/keys/${user.userId}`).set(bearer(token)).set('User-Agent', agent).send(body);
  }

  async function fetchKey(ks: RunningApp, user: TestUser, agent = AGENT) {
    const token = await getAccessToken(server, user);
    return ks.http().get(`/api/keys/${user.userId}`).set(bearer(token)).set('User-Agent', agent);
  }

  async function listEvents(ks: RunningApp, user: TestUser, query: Record<string, string | string[]> = {}) {
    const token = await getAccessToken(server, user);
    return ks.http().get(`/api/keys/${user.userId}/events`).query(query).set(bearer(token)).set('User-Agent', AGENT);
  }

  /** The types of the user's first page, newest first. */
  async function types(ks: RunningApp, user: TestUser): Promise<string[]> {
    const response = await listEvents(ks, user);
    expect(response.status).toBe(200);
    return bodyOf<KeyserverApi.EventsPage>(response).items.map((item) => item.type);
  }

  it('lists key.stored and key.fetched newest first, with the client’s address and User-Agent, and no secret', async () => {
    const { user, blob } = await securedUser(keyserver);
    expect((await fetchKey(keyserver, user)).status).toBe(200);
    const longAgent = `kx-test/${'x'.repeat(300)}`;
    expect((await fetchKey(keyserver, user, longAgent)).status).toBe(200);

    const response = await listEvents(keyserver, user);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      items: [
        {
          type: 'key.fetched',
          createdAt: stringMatching(ISO),
          clientAddress: '127.0.0.1',
          userAgent: longAgent.slice(0, 256),
        },
        { type: 'key.fetched', createdAt: stringMatching(ISO), clientAddress: '127.0.0.1', userAgent: AGENT },
        {
          type: 'key.stored',
          createdAt: stringMatching(ISO),
          clientAddress: '127.0.0.1',
          userAgent: 'kx-test/put',
        },
      ],
      nextCursor: null,
    });
    const times = bodyOf<KeyserverApi.EventsPage>(response).items.map((item) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(Math.abs(times[0] - Date.now())).toBeLessThan(60_000);
    const text = JSON.stringify(response.body);
    for (const secret of [blob.encryptedPrivateKey, blob.iv, blob.salt, user.sessionToken])
      expect(text).not.toContain(secret);
  });

  it('records key.fetch-refused for a validated token refused over RATE_LIMIT_KEYS_PER_USER (429), and lists it', async () => {
    const { user } = await securedUser(limited);
    expect((await fetchKey(limited, user)).status).toBe(200);
    const refused = await fetchKey(limited, user, 'kx-test/over');
    expect(refused.status).toBe(429);
    // Listing neither reads nor writes the key: it is not counted, so the owner can see the refusal.
    const response = await listEvents(limited, user);
    expect(response.status).toBe(200);
    expect(bodyOf<KeyserverApi.EventsPage>(response).items).toEqual([
      {
        type: 'key.fetch-refused',
        createdAt: stringMatching(ISO),
        clientAddress: '127.0.0.1',
        userAgent: 'kx-test/over',
      },
      expect.objectContaining({ type: 'key.fetched' }),
      expect.objectContaining({ type: 'key.stored' }),
    ]);
  });

  it('records key.fetch-refused for a validated put answered 409 (a blob for this key is stored already)', async () => {
    const { user, blob } = await securedUser(keyserver);
    expect((await putKey(keyserver, user, blob)).status).toBe(409);
    expect(await types(keyserver, user)).toEqual(['key.fetch-refused', 'key.stored']);
  });

  it('records nothing for a token that does not validate: unknown, malformed, or another user’s', async () => {
    const { user } = await securedUser(keyserver);
    const stranger = await registerAndLogin(server.http);
    const path = `/api/keys/${user.userId}`;
    await keyserver
      .http()
      .get(path)
      .set(bearer(randomBytes(32).toString('base64url')))
      .expect(403);
    await keyserver.http().get(path).set(bearer('not-a-token')).expect(403);
    await keyserver
      .http()
      .get(path)
      .set(bearer(await getAccessToken(server, stranger)))
      .expect(403);
    await keyserver.http().get(path).expect(401);
    await keyserver
      .http()
      .get(`${path}/events`)
      .set(bearer(await getAccessToken(server, stranger)))
      .expect(403);
    expect(await types(keyserver, user)).toEqual(['key.stored']);
  });

  it('answers 403 to a token from a session that is not secured, and 401 without a token', async () => {
    const { user } = await userWithStoredKey(keyserver);
    const unsecured = await listEvents(keyserver, user);
    expect(unsecured.status).toBe(403);
    expect(unsecured.body).toMatchObject({ statusCode: 403, message: stringMatching(/secured session/) });

    // A new session of a user whose key is confirmed is not secured until it answers a challenge.
    const secured = await securedUser(keyserver);
    const second = { ...secured.user, sessionToken: await login(server.http, secured.user) };
    expect((await listEvents(keyserver, second)).status).toBe(403);
    expect((await listEvents(keyserver, secured.user)).status).toBe(200);
    await keyserver.http().get(`/api/keys/${user.userId}/events`).expect(401);
  });

  it('pages 50 at a time, newest first, with nextCursor until the last page', async () => {
    const { user } = await securedUser(keyserver);
    // In parallel batches: events in the same microsecond still page by id.
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(
        Array.from({ length: 5 }, async () => expect((await fetchKey(keyserver, user)).status).toBe(200)),
      );
    }
    const first = await listEvents(keyserver, user);
    expect(first.status).toBe(200);
    const firstPage = bodyOf<KeyserverApi.EventsPage>(first);
    expect(firstPage.items).toHaveLength(50);
    expect(firstPage.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    // An event arriving between pages lands on no page already read, and shifts none.
    expect((await fetchKey(keyserver, user)).status).toBe(200);
    const second = await listEvents(keyserver, user, { cursor: firstPage.nextCursor as string });
    expect(second.status).toBe(200);
    const secondPage = bodyOf<KeyserverApi.EventsPage>(second);
    expect(secondPage.nextCursor).toBeNull();
    const items = [...firstPage.items, ...secondPage.items];
    expect(items).toHaveLength(56);
    expect(items.map((item) => item.type)).toEqual([...Array<string>(55).fill('key.fetched'), 'key.stored']);
    const times = items.map((item) => Date.parse(item.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(bodyOf<KeyserverApi.EventsPage>(await listEvents(keyserver, user)).items).toHaveLength(50);
  });

  it('answers 400 to a malformed cursor, naming it, without spending the token', async () => {
    const { user } = await securedUser(keyserver);
    const forged = Buffer.from(`2026-13-02T14:00:00.123456Z_${user.userId}`).toString('base64url');
    for (const cursor of ['not-a-cursor!', 'AAAA', forged, ['a', 'b']]) {
      const token = await getAccessToken(server, user);
      const response = await keyserver
        .http()
        .get(`/api/keys/${user.userId}/events`)
        .query({ cursor })
        .set(bearer(token));
      expect(response.status).toBe(400);
      expect(JSON.stringify(errorOf(response).message)).toMatch(/cursor must be the nextCursor of a previous page/);
      // The same token still lists: a 400 spends none.
      await keyserver.http().get(`/api/keys/${user.userId}/events`).set(bearer(token)).expect(200);
    }
    const unknown = await getAccessToken(server, user);
    await keyserver
      .http()
      .get(`/api/keys/${user.userId}/events`)
      .query({ cursor: 'x', other: '1' })
      .set(bearer(unknown))
      .expect(400);
  });

  it('prunes events older than EVENTS_RETENTION_DAYS (90 by default), and keeps younger ones', async () => {
    const { user } = await securedUser(keyserver);
    expect((await fetchKey(keyserver, user)).status).toBe(200);
    // Events are aged instead of waited for, as time-travel.ts ages tokens: the one arrangement below the API.
    const db = keyserver.app.get(DataSource);
    await db.query(
      `UPDATE events SET created_at = now() - interval '91 days' WHERE user_id = $1 AND type = 'key.stored'`,
      [user.userId],
    );
    await db.query(
      `UPDATE events SET created_at = now() - interval '89 days' WHERE user_id = $1 AND type = 'key.fetched'`,
      [user.userId],
    );

    expect(await keyserver.app.get(EventsPruner).prune()).toBeGreaterThanOrEqual(1);
    expect(await types(keyserver, user)).toEqual(['key.fetched']);
  });
});
