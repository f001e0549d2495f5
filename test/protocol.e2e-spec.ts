import {
  DecryptionError,
  DEFAULT_KDF_PARAMS,
  deriveLoginSecret,
  fromBase64Url,
  generateKeyPair,
  unwrapPrivateKey,
} from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import { closeAll, type RunningApp, startServices } from './support/apps.js';
import {
  createKeyPair,
  encryptedBlob,
  getAccessToken,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, login, registerAndLogin, uniqueEmail, type TestUser } from './support/users.js';
import { bodyOf } from './support/body.js';

/**
 * The whole protocol as a client plays it: seed flow 1 (create keypair),
 * flow 2 (get private key) and flow 3 (session challenge), on two real
 * services, with the real cryptography and default KDF parameters.
 */
describe('the protocol, end to end', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  /** Flow 2: a fresh access token, the blob, and decryption with the password. */
  async function getPrivateKey(user: TestUser, password: string) {
    const accessToken = await getAccessToken(server, user);
    const blob = bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(
      await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken)).expect(200),
    );
    return unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
      iv: fromBase64Url(blob.iv),
      salt: fromBase64Url(blob.salt),
      kdf: blob.kdf,
      password,
      userId: user.userId,
      publicKeyFingerprint: blob.publicKeyFingerprint as string,
    });
  }

  it('register, create keypair, log out, log in, get private key, session challenge, protected endpoint', async () => {
    const email = uniqueEmail('Alice');
    const password = 'correct horse battery staple';
    const loginSecret = await deriveLoginSecret(email, password);
    expect(loginSecret).not.toContain(password);

    const registered = bodyOf<ServerApi.RegisterResponse>(
      await server.http().post('/api/auth/register').send({ email, password: loginSecret }).expect(201),
    );
    const first = bodyOf<ServerApi.LoginResponse>(
      await server.http().post('/api/auth/login').send({ email, password: loginSecret }).expect(200),
    );
    expect(first.hasKeyPair).toBe(false);
    // The KEK comes from the password itself; the server only ever saw the login secret.
    const alice: TestUser = { email, password, userId: registered.userId, sessionToken: first.sessionToken };

    const keys = await createKeyPair(server, keyserver, alice, DEFAULT_KDF_PARAMS);
    await server.http().post('/api/auth/logout').set(bearer(alice.sessionToken)).expect(204);

    const second = bodyOf<ServerApi.LoginResponse>(
      await server.http().post('/api/auth/login').send({ email, password: loginSecret }).expect(200),
    );
    expect(second.hasKeyPair).toBe(true);
    alice.sessionToken = second.sessionToken;
    await server.http().get(`/api/users/${alice.userId}/public-key`).set(bearer(alice.sessionToken)).expect(403);

    const unlocked = await getPrivateKey(alice, password);
    expect(Buffer.from(unlocked.privateKeyPkcs8).equals(Buffer.from(keys.privateKeyPkcs8))).toBe(true);
    await passSessionChallenge(server, alice.sessionToken, unlocked);

    const bob = await registerAndLogin(server.http);
    const bobKeys = await createKeyPair(server, keyserver, bob);
    const bobsKey = await server
      .http()
      .get(`/api/users/${bob.userId}/public-key`)
      .set(bearer(alice.sessionToken))
      .expect(200);
    expect(fromBase64Url(bodyOf<ServerApi.UserPublicKeyResponse>(bobsKey).publicKey)).toEqual(bobKeys.publicKey);
  });

  it('a wrong password fails to decrypt the private key', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    await expect(getPrivateKey(user, `${user.password}!`)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('a flow 1 broken after putPublicKey starts again with a new key pair', async () => {
    const user = await registerAndLogin(server.http);
    await putPublicKey(server, user, (await generateKeyPair()).publicKey).expect(200);
    // The client stops here; next time it starts over from another session.
    user.sessionToken = await login(server.http, user);
    const keys = await createKeyPair(server, keyserver, user);
    const unlocked = await getPrivateKey(user, user.password);
    expect(unlocked.privateKeyPkcs8).toEqual(keys.privateKeyPkcs8);
  });

  it('a flow 1 broken after putPrivateKey starts again with a new key pair', async () => {
    const user = await registerAndLogin(server.http);
    const abandoned = await generateKeyPair();
    await putPublicKey(server, user, abandoned.publicKey).expect(200);
    await putPrivateKey(
      keyserver,
      user.userId,
      await getAccessToken(server, user),
      await encryptedBlob(user, abandoned),
    ).expect(201);

    user.sessionToken = await login(server.http, user);
    const keys = await createKeyPair(server, keyserver, user);
    const unlocked = await getPrivateKey(user, user.password);
    expect(unlocked.privateKeyPkcs8).toEqual(keys.privateKeyPkcs8);
    expect(unlocked.privateKeyPkcs8).not.toEqual(abandoned.privateKeyPkcs8);
  });

  it('refuses a replayed access token', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    const accessToken = await getAccessToken(server, user);
    await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken)).expect(200);
    await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken)).expect(403);
  });

  it('user A’s access token can neither read nor write user B’s key', async () => {
    const alice = await registerAndLogin(server.http);
    const bob = await registerAndLogin(server.http);
    const bobKeys = await createKeyPair(server, keyserver, bob);

    const read = await keyserver
      .http()
      .get(`/api/keys/${bob.userId}`)
      .set(bearer(await getAccessToken(server, alice)));
    expect(read.status).toBe(403);
    const write = await putPrivateKey(
      keyserver,
      bob.userId,
      await getAccessToken(server, alice),
      await encryptedBlob(bob, await generateKeyPair()),
    );
    expect(write.status).toBe(403);

    const unlocked = await getPrivateKey(bob, bob.password);
    expect(unlocked.privateKeyPkcs8).toEqual(bobKeys.privateKeyPkcs8);
  });
});
