import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fingerprint, fromBase64Url, generateKeyPair, KeyMismatchError, unwrapPrivateKey } from '@app/crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import { closeAll, freePort, type RunningApp, startKeyserver, startServices } from './support/apps.js';
import {
  encryptedBlob,
  FAST_KDF,
  getAccessToken,
  type KeyPair,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';
import { anyString, stringContaining } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const hex64 = () => randomBytes(32).toString('hex');
/** A well-formed blob bound to the given fingerprint; its bytes are random (the keyserver cannot tell). */
const validBlob = (publicKeyFingerprint: string) => ({
  encryptedPrivateKey: b64(64),
  iv: b64(12),
  salt: b64(16),
  kdf: { ...FAST_KDF },
  publicKeyFingerprint,
});

/** What a validation answers for a user who has never changed the key's wrapping. */
const NO_CHANGES = { committedKeyChange: null, abandonedKeyChangeId: null };
describe('keys: putPrivateKey, getEncryptedPrivateKey (keyserver, validating with a real server)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  const getKey = (userId: string, accessToken?: string) => {
    const request = keyserver.http().get(`/api/keys/${userId}`);
    return accessToken ? request.set(bearer(accessToken)) : request;
  };

  async function put(user: TestUser, body: object) {
    return putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), body);
  }

  /** A user with a pending public key, and that key's fingerprint. */
  async function userWithPendingKey(): Promise<{ user: TestUser; keys: KeyPair; fp: string }> {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    return { user, keys, fp: await fingerprint(keys.publicKey) };
  }

  const stored = async (user: TestUser) =>
    bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(
      await getKey(user.userId, await getAccessToken(server, user)).expect(200),
    );

  describe('POST /api/keys/{userId}', () => {
    it('stores the blob for the current public key and answers 201 {userId, createdAt}', async () => {
      const { user, fp } = await userWithPendingKey();
      const before = Date.now();
      const response = await put(user, validBlob(fp));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ userId: user.userId, createdAt: anyString() });
      expect(
        Math.abs(Date.parse(bodyOf<KeyserverApi.PutPrivateKeyResponse>(response).createdAt) - before),
      ).toBeLessThan(10_000);
      expect((await stored(user)).publicKeyFingerprint).toBe(fp);
    });

    it('answers 409 when the user has no public key, and stores nothing', async () => {
      const user = await registerAndLogin(server.http);
      const response = await put(user, validBlob(hex64()));
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: stringContaining('public key'),
      });
      await getKey(user.userId, await getAccessToken(server, user)).expect(404);
    });

    it('answers 409 to a blob for a key that is not the user’s current one, and stores nothing', async () => {
      const { user } = await userWithPendingKey();
      const response = await put(user, validBlob(hex64()));
      expect(response.status).toBe(409);
      expect(errorOf(response).message).toMatch(/publicKeyFingerprint/);
      await getKey(user.userId, await getAccessToken(server, user)).expect(404);
    });

    it('keeps the first blob stored for a key (409), and takes the blob of a new pending key', async () => {
      const { user, fp } = await userWithPendingKey();
      const first = validBlob(fp);
      expect((await put(user, first)).status).toBe(201);
      // A stolen session could otherwise overwrite the owner's blob between its check and its challenge.
      const again = await put(user, validBlob(fp));
      expect(again.status).toBe(409);
      expect(errorOf(again).message).toMatch(/stored already/);
      expect((await stored(user)).encryptedPrivateKey).toBe(first.encryptedPrivateKey);

      const b = await generateKeyPair();
      await putPublicKey(server, user, b.publicKey).expect(200);
      const second = validBlob(await fingerprint(b.publicKey));
      expect((await put(user, second)).status).toBe(201);
      expect(await stored(user)).toMatchObject({
        encryptedPrivateKey: second.encryptedPrivateKey,
        publicKeyFingerprint: second.publicKeyFingerprint,
      });
    });

    it('answers 409 when the confirmed key’s blob is stored, and keeps the blob', async () => {
      const { user, keys } = await userWithPendingKey();
      const first = await encryptedBlob(user, keys);
      expect((await put(user, first)).status).toBe(201);
      await passSessionChallenge(server, user.sessionToken, keys);

      const response = await put(user, await encryptedBlob(user, keys));
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect((await stored(user)).encryptedPrivateKey).toBe(first.encryptedPrivateKey);
    });

    it('repairs, from a secured session only, an account whose confirmed key has another key’s blob', async () => {
      // Key A's blob is stored, then key B replaces A and is confirmed: the keyserver holds A's private key.
      const { user, keys: a } = await userWithPendingKey();
      expect((await put(user, await encryptedBlob(user, a))).status).toBe(201);
      const b = await generateKeyPair();
      await putPublicKey(server, user, b.publicKey).expect(200);
      await passSessionChallenge(server, user.sessionToken, b);

      // A session that has not proved it holds B (a password alone) may not touch it.
      const unsecured = { ...user, sessionToken: await login(server.http, user) };
      const refused = await put(unsecured, await encryptedBlob(user, b));
      expect(refused.status).toBe(409);
      expect(errorOf(refused).message).toMatch(/secured session/);
      expect((await stored(user)).publicKeyFingerprint).toBe(await fingerprint(a.publicKey));

      const blobB = await encryptedBlob(user, b);
      expect((await put(user, blobB)).status).toBe(201);
      expect((await stored(user)).publicKeyFingerprint).toBe(await fingerprint(b.publicKey));
      // Now it is the confirmed key's own blob, and final.
      expect((await put(user, await encryptedBlob(user, b))).status).toBe(409);
      // A's blob can no longer come back either.
      expect((await put(user, await encryptedBlob(user, a))).status).toBe(409);
      expect((await stored(user)).encryptedPrivateKey).toBe(blobB.encryptedPrivateKey);
    });

    it('refuses a first blob for a confirmed key from a session that is not secured', async () => {
      const { user, keys } = await userWithPendingKey();
      await passSessionChallenge(server, user.sessionToken, keys);
      const unsecured = { ...user, sessionToken: await login(server.http, user) };
      expect((await put(unsecured, await encryptedBlob(user, keys))).status).toBe(409);
      await getKey(user.userId, await getAccessToken(server, user)).expect(404);
      expect((await put(user, await encryptedBlob(user, keys))).status).toBe(201);
    });

    it('accepts every bound of the blob and KDF rules', async () => {
      for (const body of [
        {
          encryptedPrivateKey: b64(17),
          iv: b64(12),
          salt: b64(16),
          kdf: { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 },
        },
        {
          encryptedPrivateKey: b64(4096),
          iv: b64(12),
          salt: b64(64),
          kdf: { algorithm: 'argon2id', memoryKiB: 1048576, iterations: 10, parallelism: 4 },
        },
      ]) {
        const { user, fp } = await userWithPendingKey();
        expect((await put(user, { ...body, publicKeyFingerprint: fp })).status).toBe(201);
      }
    });

    it.each([
      ['memoryKiB below 19456', { kdf: { ...FAST_KDF, memoryKiB: 19455 } }, 'memoryKiB'],
      ['memoryKiB above 1 GiB', { kdf: { ...FAST_KDF, memoryKiB: 1048577 } }, 'memoryKiB'],
      ['memoryKiB that is not an integer', { kdf: { ...FAST_KDF, memoryKiB: 20000.5 } }, 'memoryKiB'],
      ['memoryKiB as a string', { kdf: { ...FAST_KDF, memoryKiB: '65536' } }, 'memoryKiB'],
      ['iterations below 2', { kdf: { ...FAST_KDF, iterations: 1 } }, 'iterations'],
      ['iterations above 10', { kdf: { ...FAST_KDF, iterations: 11 } }, 'iterations'],
      ['parallelism below 1', { kdf: { ...FAST_KDF, parallelism: 0 } }, 'parallelism'],
      ['parallelism above 4', { kdf: { ...FAST_KDF, parallelism: 5 } }, 'parallelism'],
      ['another KDF', { kdf: { ...FAST_KDF, algorithm: 'pbkdf2' } }, 'algorithm'],
      ['a KDF field it does not take', { kdf: { ...FAST_KDF, pepper: 'x' } }, 'pepper'],
      ['kdf that is not an object', { kdf: 'argon2id' }, 'kdf'],
      ['no kdf', { kdf: undefined }, 'kdf'],
      ['an iv of 11 bytes', { iv: b64(11) }, 'iv'],
      ['an iv of 13 bytes', { iv: b64(13) }, 'iv'],
      ['a salt of 15 bytes', { salt: b64(15) }, 'salt'],
      ['a salt of 65 bytes', { salt: b64(65) }, 'salt'],
      ['a ciphertext of 16 bytes', { encryptedPrivateKey: b64(16) }, 'encryptedPrivateKey'],
      ['a ciphertext of 4097 bytes', { encryptedPrivateKey: b64(4097) }, 'encryptedPrivateKey'],
      ['a ciphertext that is not base64url', { encryptedPrivateKey: `${b64(63)}==` }, 'encryptedPrivateKey'],
      ['no ciphertext', { encryptedPrivateKey: undefined }, 'encryptedPrivateKey'],
      ['no publicKeyFingerprint', { publicKeyFingerprint: undefined }, 'publicKeyFingerprint'],
      ['an upper-case publicKeyFingerprint', { publicKeyFingerprint: 'A'.repeat(64) }, 'publicKeyFingerprint'],
      ['a publicKeyFingerprint of 63 characters', { publicKeyFingerprint: 'a'.repeat(63) }, 'publicKeyFingerprint'],
      ['a publicKeyFingerprint that is not hex', { publicKeyFingerprint: 'g'.repeat(64) }, 'publicKeyFingerprint'],
      ['a field it does not take', { userId: randomUUID() }, 'userId'],
    ])('answers 400 for %s, stores nothing, and leaves the token unspent', async (_case, change, field) => {
      const { user, fp } = await userWithPendingKey();
      const accessToken = await getAccessToken(server, user);
      const response = await putPrivateKey(keyserver, user.userId, accessToken, { ...validBlob(fp), ...change });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(errorOf(response).message)).toContain(field);
      // The refused request did not spend the token: it still reads (and finds nothing stored).
      await getKey(user.userId, accessToken).expect(404);
    });

    it('answers 400 for a path userId that is not a UUID, without spending the token', async () => {
      const { user, fp } = await userWithPendingKey();
      const accessToken = await getAccessToken(server, user);
      const response = await putPrivateKey(keyserver, 'not-a-uuid', accessToken, validBlob(fp));
      expect(response.status).toBe(400);
      expect(errorOf(response).message).toMatch(/userId must be a UUID/);
      await putPrivateKey(keyserver, user.userId, accessToken, validBlob(fp)).expect(201);
    });

    it('accepts the userId in upper case as the same user', async () => {
      const { user, fp } = await userWithPendingKey();
      const response = await putPrivateKey(
        keyserver,
        user.userId.toUpperCase(),
        await getAccessToken(server, user),
        validBlob(fp),
      );
      expect(response.status).toBe(201);
      expect(bodyOf<KeyserverApi.PutPrivateKeyResponse>(response).userId).toBe(user.userId);
      const read = await getKey(user.userId.toUpperCase(), await getAccessToken(server, user)).expect(200);
      expect(bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(read).userId).toBe(user.userId);
    });

    it('answers 401 without an access token', async () => {
      const { user, fp } = await userWithPendingKey();
      const response = await keyserver.http().post(`/api/keys/${user.userId}`).send(validBlob(fp));
      expect(response.status).toBe(401);
    });

    it('answers 403 to a replayed token, a token for another user, a session token, and a made-up token', async () => {
      const { user: alice, fp: aliceFp } = await userWithPendingKey();
      const { user: bob, fp: bobFp } = await userWithPendingKey();
      const accessToken = await getAccessToken(server, alice);
      await putPrivateKey(keyserver, alice.userId, accessToken, validBlob(aliceFp)).expect(201);
      await putPrivateKey(keyserver, alice.userId, accessToken, validBlob(aliceFp)).expect(403);
      await putPrivateKey(keyserver, bob.userId, await getAccessToken(server, alice), validBlob(bobFp)).expect(403);
      await putPrivateKey(keyserver, bob.userId, bob.sessionToken, validBlob(bobFp)).expect(403);
      await putPrivateKey(keyserver, bob.userId, b64(32), validBlob(bobFp)).expect(403);
      await putPrivateKey(keyserver, bob.userId, 'garbage', validBlob(bobFp)).expect(403);
      await getKey(bob.userId, await getAccessToken(server, bob)).expect(404);
    });

    it('answers 403 to a token whose session has ended', async () => {
      const { user, fp } = await userWithPendingKey();
      const accessToken = await getAccessToken(server, user);
      await server.http().post('/api/auth/logout').set(bearer(user.sessionToken)).expect(204);
      await putPrivateKey(keyserver, user.userId, accessToken, validBlob(fp)).expect(403);
    });
  });

  describe('GET /api/keys/{userId}', () => {
    it('answers 200 with the blob as stored, with its public key fingerprint', async () => {
      const { user, fp } = await userWithPendingKey();
      const blob = validBlob(fp);
      const put1 = await put(user, blob);
      expect(put1.status).toBe(201);
      const response = await getKey(user.userId, await getAccessToken(server, user));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        userId: user.userId,
        ...blob,
        updatedAt: bodyOf<KeyserverApi.PutPrivateKeyResponse>(put1).createdAt,
        version: 1,
        pendingChanges: [],
      });
    });

    it('answers 404 when no blob is stored', async () => {
      const user = await registerAndLogin(server.http);
      const response = await getKey(user.userId, await getAccessToken(server, user));
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('answers 401 without a token, and 403 to a spent one or another user’s', async () => {
      const { user: alice, fp } = await userWithPendingKey();
      const bob = await registerAndLogin(server.http);
      expect((await put(alice, validBlob(fp))).status).toBe(201);
      await getKey(alice.userId).expect(401);
      const token = await getAccessToken(server, alice);
      await getKey(alice.userId, token).expect(200);
      await getKey(alice.userId, token).expect(403);
      await getKey(alice.userId, await getAccessToken(server, bob)).expect(403);
    });

    it('answers 400 to a path userId that is not a UUID, without spending the token', async () => {
      const { user, fp } = await userWithPendingKey();
      expect((await put(user, validBlob(fp))).status).toBe(201);
      const accessToken = await getAccessToken(server, user);
      await getKey('1234', accessToken).expect(400);
      await getKey(user.userId, accessToken).expect(200);
    });
  });

  describe('two key setups of one account, interleaved', () => {
    it('refuses the stale blob, so the account ends with a key that unlocks', async () => {
      // The review's reproduction: public key A, public key B, blob B, blob A, then B answers its challenge.
      const user = await registerAndLogin(server.http);
      const secondSession = { ...user, sessionToken: await login(server.http, user) };
      const a = await generateKeyPair();
      const b = await generateKeyPair();
      await putPublicKey(server, user, a.publicKey).expect(200);
      await putPublicKey(server, secondSession, b.publicKey).expect(200);
      expect((await put(secondSession, await encryptedBlob(user, b))).status).toBe(201);
      const stale = await put(user, await encryptedBlob(user, a));
      expect(stale.status).toBe(409);
      await passSessionChallenge(server, secondSession.sessionToken, b);

      // A new device: the blob unwraps with the password to the confirmed key, and secures a session.
      const device = { ...user, sessionToken: await login(server.http, user) };
      const me = bodyOf<ServerApi.UserResponse>(
        await server.http().get('/api/user/me').set(bearer(device.sessionToken)).expect(200),
      );
      const blob = await stored(device);
      expect(blob.publicKeyFingerprint).toBe(me.publicKeyFingerprint);
      const unwrapped = await unwrapPrivateKey({
        encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
        iv: fromBase64Url(blob.iv),
        salt: fromBase64Url(blob.salt),
        kdf: blob.kdf,
        password: user.password,
        userId: user.userId,
        publicKeyFingerprint: me.publicKeyFingerprint as string,
      });
      expect(unwrapped.fingerprint).toBe(await fingerprint(b.publicKey));
      await passSessionChallenge(server, device.sessionToken, unwrapped);
    });

    it('lets a client tell a blob of another key from a wrong password', async () => {
      const { user, keys: a } = await userWithPendingKey();
      const blobA = await encryptedBlob(user, a);
      await expect(
        unwrapPrivateKey({
          encryptedPrivateKey: fromBase64Url(blobA.encryptedPrivateKey),
          iv: fromBase64Url(blobA.iv),
          salt: fromBase64Url(blobA.salt),
          kdf: blobA.kdf,
          password: user.password,
          userId: user.userId,
          publicKeyFingerprint: hex64(),
        }),
      ).rejects.toBeInstanceOf(KeyMismatchError);
    });
  });

  describe('when the server cannot answer as it should', () => {
    const fakes: Server[] = [];
    const keyservers: RunningApp[] = [];
    /** A keyserver whose "server" answers every validation with `handler`: a fault, not a stand-in. */
    async function keyserverFacing(handler: RequestListener): Promise<RunningApp> {
      const fake = createServer(handler);
      fakes.push(fake);
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      const app = await startKeyserver(`http://127.0.0.1:${(fake.address() as AddressInfo).port}`);
      keyservers.push(app);
      return app;
    }
    afterAll(async () => {
      await closeAll(...keyservers);
      for (const fake of fakes) fake.close();
    });

    const json =
      (status: number, body: unknown, headers: Record<string, string> = {}): RequestListener =>
      (_req, res) =>
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

    it('answers 503 when the server is unreachable', async () => {
      const down = await startKeyserver(`http://127.0.0.1:${await freePort()}`);
      keyservers.push(down);
      const userId = randomUUID();
      const post = await down
        .http()
        .post(`/api/keys/${userId}`)
        .set(bearer(b64(32)))
        .send(validBlob(hex64()));
      expect(post.status).toBe(503);
      expect(post.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The server could not validate the access token: request a new access token and retry',
      });
      expect(Number(post.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await down
        .http()
        .get(`/api/keys/${userId}`)
        .set(bearer(b64(32)))
        .expect(503);
    });

    it('answers 503 with Retry-After when the server is slower than SERVER_TIMEOUT_MS, and stores nothing', async () => {
      const slow = createServer(() => undefined); // never answers
      fakes.push(slow);
      await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
      const app = await startKeyserver(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`, {
        SERVER_TIMEOUT_MS: '300',
      });
      keyservers.push(app);
      const userId = randomUUID();
      const began = Date.now();
      const post = await app
        .http()
        .post(`/api/keys/${userId}`)
        .set(bearer(b64(32)))
        .send(validBlob(hex64()));
      expect(post.status).toBe(503);
      expect(errorOf(post).message).toMatch(/request a new access token and retry/);
      expect(post.headers['retry-after']).toBeDefined();
      expect(Date.now() - began).toBeLessThan(3000);
      const stored = await app.app
        .get(DataSource)
        .query<{ n: number }[]>(`SELECT count(*)::int AS n FROM encrypted_private_keys WHERE user_id = $1`, [userId]);
      expect(stored).toEqual([{ n: 0 }]);
      slow.closeAllConnections();
    });

    it('answers 503 when the server refuses the keyserver’s API key (401), not 403', async () => {
      const misconfigured = await startKeyserver(server.url, { KEYSERVER_API_KEY: b64(32) });
      keyservers.push(misconfigured);
      const { user, fp } = await userWithPendingKey();
      const response = await putPrivateKey(
        misconfigured,
        user.userId,
        await getAccessToken(server, user),
        validBlob(fp),
      );
      expect(response.status).toBe(503);
    });

    it.each([
      ['500', json(500, {})],
      ['404', json(404, { statusCode: 404 })],
      ['400', json(400, { statusCode: 400 })],
      [
        '200 without keyConfirmed',
        json(200, {
          valid: true,
          userId: '<id>',
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 with keyConfirmed as a string',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: 'false',
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 without sessionSecured',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: null,
          keyVersion: null,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 with a malformed fingerprint',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: 'AB',
          sessionSecured: false,
          keyVersion: null,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 about another user',
        json(200, {
          valid: true,
          userId: randomUUID(),
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 without keyVersion',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          ...NO_CHANGES,
        }),
      ],
      [
        '200 without committedKeyChange',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          abandonedKeyChangeId: null,
        }),
      ],
      [
        '200 with a committedKeyChange lacking its version',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: true,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: 2,
          committedKeyChange: { keyChangeId: randomUUID() },
          abandonedKeyChangeId: null,
        }),
      ],
      [
        '200 without abandonedKeyChangeId',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          committedKeyChange: null,
        }),
      ],
      [
        '200 with an abandonedKeyChangeId that is not an id',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          committedKeyChange: null,
          abandonedKeyChangeId: 'x',
        }),
      ],
      [
        '200 with keyVersion 0',
        json(200, {
          valid: true,
          userId: '<id>',
          keyConfirmed: true,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: 0,
          ...NO_CHANGES,
        }),
      ],
      ['200 that is not JSON', (_req, res) => res.writeHead(200).end('ok')],
    ] as Array<[string, RequestListener]>)(
      'answers 503 to both operations when the server answers %s',
      async (_case, handler) => {
        const userId = randomUUID();
        // Answers naming a user name the one asked about, unless the case is about another user.
        const faulty = await keyserverFacing((req, res) => {
          const write = res.end.bind(res);
          res.end = ((chunk?: unknown) =>
            write(typeof chunk === 'string' ? chunk.replace('<id>', userId) : chunk)) as typeof res.end;
          handler(req, res);
        });
        const post = await faulty
          .http()
          .post(`/api/keys/${userId}`)
          .set(bearer(b64(32)))
          .send(validBlob(hex64()));
        expect(post.status).toBe(503);
        expect(post.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
        await faulty
          .http()
          .get(`/api/keys/${userId}`)
          .set(bearer(b64(32)))
          .expect(503);
      },
    );

    it('answers 503 to a redirect, and does not follow it (the API key must not travel)', async () => {
      const userId = randomUUID();
      const followed: string[] = [];
      // Where the redirect points: it would say yes, and it sees any request that reaches it.
      const target = createServer((req, res) => {
        followed.push(String(req.headers.authorization));
        json(200, {
          valid: true,
          userId,
          keyConfirmed: false,
          publicKeyFingerprint: null,
          sessionSecured: false,
          keyVersion: null,
          ...NO_CHANGES,
        })(req, res);
      });
      fakes.push(target);
      await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
      const location = `http://127.0.0.1:${(target.address() as AddressInfo).port}/keyserver/user/validate`;
      const redirecting = await keyserverFacing(json(307, {}, { location }));
      await redirecting
        .http()
        .get(`/api/keys/${userId}`)
        .set(bearer(b64(32)))
        .expect(503);
      expect(followed).toEqual([]);
    });

    it('answers 403 only when the server answers 403', async () => {
      const refusing = await keyserverFacing(json(403, { statusCode: 403 }));
      await refusing
        .http()
        .get(`/api/keys/${randomUUID()}`)
        .set(bearer(b64(32)))
        .expect(403);
    });
  });
});
