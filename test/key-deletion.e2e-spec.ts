import { generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import {
  encryptedBlob,
  getAccessToken,
  type KeyPair,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';
import { stringMatching } from './support/matchers.js';

describe('key deletion: deletePrivateKey (keyserver, validating with a real server)', () => {
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
  async function userWithStoredKey(ks: RunningApp = keyserver): Promise<{ user: TestUser; keys: KeyPair }> {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const stored = await putPrivateKey(
      ks,
      user.userId,
      await getAccessToken(server, user),
      await encryptedBlob(user, keys),
    );
    expect(stored.status).toBe(201);
    return { user, keys };
  }

  /** As above, and the user's session secured (the key confirmed). */
  async function securedUser(ks: RunningApp = keyserver): Promise<TestUser> {
    const { user, keys } = await userWithStoredKey(ks);
    await passSessionChallenge(server, user.sessionToken, keys);
    return user;
  }

  function deleteKey(ks: RunningApp, userId: string, accessToken: string) {
    return ks.http().delete(`/api/keys/${userId}`).set(bearer(accessToken));
  }

  async function fetchKey(ks: RunningApp, user: TestUser) {
    return ks
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(await getAccessToken(server, user)));
  }

  /** The user's first page of keyserver events, read from `user`'s (secured) session. */
  async function listEvents(ks: RunningApp, user: TestUser) {
    const response = await ks
      .http()
      .get(`/api/keys/${user.userId}/events`)
      .set(bearer(await getAccessToken(server, user)));
    expect(response.status).toBe(200);
    return response.body as { items: Array<{ type: string }>; nextCursor: string | null };
  }

  const types = async (ks: RunningApp, user: TestUser) => (await listEvents(ks, user)).items.map((item) => item.type);

  it('deletes the blob and every keyserver event of the user, from a secured session: 204, then GET 404 and an empty log', async () => {
    const user = await securedUser();
    expect((await fetchKey(keyserver, user)).status).toBe(200);
    expect(await types(keyserver, user)).toEqual(['key.fetched', 'key.stored']);

    const response = await deleteKey(keyserver, user.userId, await getAccessToken(server, user));
    expect(response.status).toBe(204);
    expect(response.text).toBe('');

    // Nothing is left and nothing new is recorded: the deletion logs no event, a 404 refuses no one.
    expect(await listEvents(keyserver, user)).toEqual({ items: [], nextCursor: null });
    const gone = await fetchKey(keyserver, user);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ statusCode: 404, message: 'No encrypted private key is stored for this user' });
    expect(await listEvents(keyserver, user)).toEqual({ items: [], nextCursor: null });
  });

  it('answers 204 again to a retry (a lost answer), and to a user who never stored a blob', async () => {
    const user = await securedUser();
    expect((await deleteKey(keyserver, user.userId, await getAccessToken(server, user))).status).toBe(204);
    expect((await deleteKey(keyserver, user.userId, await getAccessToken(server, user))).status).toBe(204);
    expect((await fetchKey(keyserver, user)).status).toBe(404);

    // Secured without a blob: the key was confirmed on the server, its blob never stored here.
    const blobless = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, blobless, keys.publicKey).expect(200);
    await passSessionChallenge(server, blobless.sessionToken, keys);
    expect((await deleteKey(keyserver, blobless.userId, await getAccessToken(server, blobless))).status).toBe(204);
    expect(await listEvents(keyserver, blobless)).toEqual({ items: [], nextCursor: null });
  });

  it('deletes only that user’s blob and events', async () => {
    const leaving = await securedUser();
    const staying = await securedUser();
    expect((await deleteKey(keyserver, leaving.userId, await getAccessToken(server, leaving))).status).toBe(204);
    expect((await fetchKey(keyserver, staying)).status).toBe(200);
    expect(await types(keyserver, staying)).toEqual(['key.fetched', 'key.stored']);
  });

  it('answers 403 to a token from a session that is not secured, deletes nothing, and records the refusal', async () => {
    const user = await securedUser();
    // A new session of a user whose key is confirmed is not secured until it answers a challenge.
    const second = await login(server.http, user);
    const refused = await deleteKey(
      keyserver,
      user.userId,
      await getAccessToken(server, { ...user, sessionToken: second }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ statusCode: 403, message: stringMatching(/secured session/) });
    expect(await types(keyserver, user)).toEqual(['key.fetch-refused', 'key.stored']);
    expect((await fetchKey(keyserver, user)).status).toBe(200);

    // Nor from a session of a user whose key is still pending (never secured).
    const pending = await userWithStoredKey();
    expect((await deleteKey(keyserver, pending.user.userId, await getAccessToken(server, pending.user))).status).toBe(
      403,
    );
    expect((await fetchKey(keyserver, pending.user)).status).toBe(200);
  });

  it('answers 403 to another user’s token, even a secured one, and deletes nothing', async () => {
    const user = await securedUser();
    const stranger = await securedUser();
    const response = await deleteKey(keyserver, user.userId, await getAccessToken(server, stranger));
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ statusCode: 403, message: stringMatching(/rejected/) });
    expect((await fetchKey(keyserver, user)).status).toBe(200);
    // A token that does not validate is no one's refusal: nothing recorded for either user.
    expect(await types(keyserver, user)).toEqual(['key.fetched', 'key.stored']);
    expect(await types(keyserver, stranger)).toEqual(['key.stored']);
  });

  it('answers 401 without a token', async () => {
    const user = await securedUser();
    await keyserver.http().delete(`/api/keys/${user.userId}`).expect(401);
    expect((await fetchKey(keyserver, user)).status).toBe(200);
  });

  it('answers 400 to a malformed userId without spending the token, and spends the token it uses', async () => {
    const user = await securedUser();
    const token = await getAccessToken(server, user);
    for (const userId of ['not-a-uuid', `${user.userId}0`, '1']) {
      const response = await deleteKey(keyserver, userId, token);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, message: 'userId must be a UUID' });
    }
    expect((await deleteKey(keyserver, user.userId, token)).status).toBe(204);
    // Spent: neither a retry nor a read takes it again.
    expect((await deleteKey(keyserver, user.userId, token)).status).toBe(403);
    await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(token)).expect(403);
  });

  it('counts against RATE_LIMIT_KEYS_PER_USER like reads and writes: over it, 429 and nothing deleted', async () => {
    const user = await securedUser(limited); // the store is the first of two
    expect((await fetchKey(limited, user)).status).toBe(200); // the second
    const token = await getAccessToken(server, user);
    const response = await deleteKey(limited, user.userId, token);
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    // Not deleted: the log still holds the store and the fetch, and the refusal; the token is spent.
    expect(await types(limited, user)).toEqual(['key.fetch-refused', 'key.fetched', 'key.stored']);
    expect((await deleteKey(limited, user.userId, token)).status).toBe(403);
  });
});
