import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, freePort, type RunningApp, startKeyserver, startServices } from './support/apps.js';
import { encryptedBlob, FAST_KDF, getAccessToken, passSessionChallenge, putPrivateKey, putPublicKey } from './support/client.js';
import { bearer, registerAndLogin, type TestUser } from './support/users.js';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');
const validBlob = () => ({ encryptedPrivateKey: b64(64), iv: b64(12), salt: b64(16), kdf: { ...FAST_KDF } });

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

  async function put(user: TestUser, body: object = validBlob()) {
    return putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), body);
  }

  describe('POST /api/keys/{userId}', () => {
    it('stores the blob and answers 201 {userId, createdAt}', async () => {
      const user = await registerAndLogin(server.http);
      const before = Date.now();
      const response = await put(user);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ userId: user.userId, createdAt: expect.any(String) });
      expect(Math.abs(Date.parse(response.body.createdAt) - before)).toBeLessThan(10_000);
    });

    it('replaces the blob while the user’s key is not confirmed', async () => {
      const user = await registerAndLogin(server.http);
      expect((await put(user)).status).toBe(201);
      const second = validBlob();
      expect((await put(user, second)).status).toBe(201);
      const stored = await getKey(user.userId, await getAccessToken(server, user)).expect(200);
      expect(stored.body).toMatchObject({ encryptedPrivateKey: second.encryptedPrivateKey, iv: second.iv, salt: second.salt });
    });

    it('answers 409 when a blob is stored and the key is confirmed, and keeps the blob', async () => {
      const user = await registerAndLogin(server.http);
      const keys = await generateKeyPair();
      await putPublicKey(server, user, keys.publicKey).expect(200);
      const first = await encryptedBlob(user, keys);
      expect((await put(user, first)).status).toBe(201);
      await passSessionChallenge(server, user.sessionToken, keys);

      const response = await put(user);
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      const stored = await getKey(user.userId, await getAccessToken(server, user)).expect(200);
      expect(stored.body.encryptedPrivateKey).toBe(first.encryptedPrivateKey);
    });

    it('accepts every bound of the blob and KDF rules', async () => {
      const user = await registerAndLogin(server.http);
      for (const body of [
        { encryptedPrivateKey: b64(17), iv: b64(12), salt: b64(16), kdf: { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 } },
        { encryptedPrivateKey: b64(4096), iv: b64(12), salt: b64(64), kdf: { algorithm: 'argon2id', memoryKiB: 4194304, iterations: 100, parallelism: 16 } },
      ]) {
        expect((await put(user, body)).status).toBe(201);
      }
    });

    it.each([
      ['memoryKiB below 19456', { kdf: { ...FAST_KDF, memoryKiB: 19455 } }, 'memoryKiB'],
      ['memoryKiB above 4 GiB', { kdf: { ...FAST_KDF, memoryKiB: 4194305 } }, 'memoryKiB'],
      ['memoryKiB that is not an integer', { kdf: { ...FAST_KDF, memoryKiB: 20000.5 } }, 'memoryKiB'],
      ['memoryKiB as a string', { kdf: { ...FAST_KDF, memoryKiB: '65536' } }, 'memoryKiB'],
      ['iterations below 2', { kdf: { ...FAST_KDF, iterations: 1 } }, 'iterations'],
      ['iterations above 100', { kdf: { ...FAST_KDF, iterations: 101 } }, 'iterations'],
      ['parallelism below 1', { kdf: { ...FAST_KDF, parallelism: 0 } }, 'parallelism'],
      ['parallelism above 16', { kdf: { ...FAST_KDF, parallelism: 17 } }, 'parallelism'],
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
      ['a field it does not take', { userId: randomUUID() }, 'userId'],
    ])('answers 400 for %s, and stores nothing', async (_case, change, field) => {
      const user = await registerAndLogin(server.http);
      const response = await put(user, { ...validBlob(), ...change });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(response.body.message)).toContain(field);
      await getKey(user.userId, await getAccessToken(server, user)).expect(404);
    });

    it('answers 400 for a path userId that is not a UUID, without spending the token', async () => {
      const user = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, user);
      const response = await putPrivateKey(keyserver, 'not-a-uuid', accessToken, validBlob());
      expect(response.status).toBe(400);
      await putPrivateKey(keyserver, user.userId, accessToken, validBlob()).expect(201);
    });

    it('answers 401 without an access token', async () => {
      const user = await registerAndLogin(server.http);
      const response = await keyserver.http().post(`/api/keys/${user.userId}`).send(validBlob());
      expect(response.status).toBe(401);
    });

    it('answers 403 to a replayed token, a token for another user, a session token, and a made-up token', async () => {
      const alice = await registerAndLogin(server.http);
      const bob = await registerAndLogin(server.http);
      const accessToken = await getAccessToken(server, alice);
      await putPrivateKey(keyserver, alice.userId, accessToken, validBlob()).expect(201);
      await putPrivateKey(keyserver, alice.userId, accessToken, validBlob()).expect(403);
      await putPrivateKey(keyserver, bob.userId, await getAccessToken(server, alice), validBlob()).expect(403);
      await putPrivateKey(keyserver, bob.userId, bob.sessionToken, validBlob()).expect(403);
      await putPrivateKey(keyserver, bob.userId, b64(32), validBlob()).expect(403);
      await putPrivateKey(keyserver, bob.userId, 'garbage', validBlob()).expect(403);
      await getKey(bob.userId, await getAccessToken(server, bob)).expect(404);
    });
  });

  describe('GET /api/keys/{userId}', () => {
    it('answers 200 with the blob as stored', async () => {
      const user = await registerAndLogin(server.http);
      const blob = validBlob();
      const stored = await put(user, blob);
      expect(stored.status).toBe(201);
      const response = await getKey(user.userId, await getAccessToken(server, user));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ userId: user.userId, ...blob, updatedAt: stored.body.createdAt });
    });

    it('answers 404 when no blob is stored', async () => {
      const user = await registerAndLogin(server.http);
      const response = await getKey(user.userId, await getAccessToken(server, user));
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    });

    it('answers 401 without a token, and 403 to a spent one or another user’s', async () => {
      const alice = await registerAndLogin(server.http);
      const bob = await registerAndLogin(server.http);
      expect((await put(alice)).status).toBe(201);
      await getKey(alice.userId).expect(401);
      const token = await getAccessToken(server, alice);
      await getKey(alice.userId, token).expect(200);
      await getKey(alice.userId, token).expect(403);
      await getKey(alice.userId, await getAccessToken(server, bob)).expect(403);
    });

    it('answers 400 to a path userId that is not a UUID', async () => {
      await getKey('1234', b64(32)).expect(400);
    });
  });

  describe('when the server cannot answer', () => {
    let down: RunningApp;
    let failing: RunningApp;
    let failingServer: Server;
    beforeAll(async () => {
      // Nothing listens on a port that was just released.
      down = await startKeyserver(`http://127.0.0.1:${await freePort()}`);
      // A server that fails every request, as one whose database is down would.
      failingServer = createServer((_req, res) => res.writeHead(500).end('{}'));
      await new Promise<void>((resolve) => failingServer.listen(0, '127.0.0.1', resolve));
      failing = await startKeyserver(`http://127.0.0.1:${(failingServer.address() as AddressInfo).port}`);
    });
    afterAll(async () => {
      await down?.close();
      await failing?.close();
      failingServer?.close();
    });

    it.each([
      ['unreachable', () => down],
      ['answering 500', () => failing],
    ])('answers 503 to both operations when the server is %s', async (_case, keyserverFor) => {
      const userId = randomUUID();
      const post = await keyserverFor().http().post(`/api/keys/${userId}`).set(bearer(b64(32))).send(validBlob());
      expect(post.status).toBe(503);
      expect(post.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      await keyserverFor().http().get(`/api/keys/${userId}`).set(bearer(b64(32))).expect(503);
    });
  });
});
