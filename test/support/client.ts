import {
  DEFAULT_KDF_PARAMS,
  fingerprint,
  generateKeyPair,
  KEY_ALGORITHM,
  openSessionChallenge,
  toBase64Url,
  fromBase64Url,
  wrapPrivateKey,
  type KdfParams,
} from '@app/crypto';
import { expect } from 'vitest';
import type { ServerApi } from '@app/api-client';
import type { RunningApp } from './apps.js';
import { bodyOf } from './body.js';
import { bearer, type TestUser } from './users.js';

/** A service the helpers can call: an app in this process or a service process. */
type Reachable = Pick<RunningApp, 'http'>;

/** The cheapest parameters the keyserver accepts: most tests need speed, not strength. */
export const FAST_KDF: KdfParams = { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 };
export { DEFAULT_KDF_PARAMS };

export type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export function putPublicKey(server: Reachable, user: TestUser, publicKey: Uint8Array) {
  return server
    .http()
    .put('/api/user/public-key')
    .set(bearer(user.sessionToken))
    .send({ algorithm: KEY_ALGORITHM, publicKey: toBase64Url(publicKey) });
}

export async function getAccessToken(server: Reachable, user: TestUser): Promise<string> {
  const response = await server.http().post('/api/user/access-token').set(bearer(user.sessionToken)).expect(201);
  return bodyOf<ServerApi.AccessTokenResponse>(response).accessToken;
}

/** Wraps the private key under the user's password as a client would, ready to POST. */
export async function encryptedBlob(user: TestUser, keys: KeyPair, kdf: KdfParams = FAST_KDF) {
  const blob = await wrapPrivateKey({
    privateKeyPkcs8: keys.privateKeyPkcs8,
    password: user.password,
    userId: user.userId,
    kdf,
  });
  return {
    encryptedPrivateKey: toBase64Url(blob.encryptedPrivateKey),
    iv: toBase64Url(blob.iv),
    salt: toBase64Url(blob.salt),
    kdf: blob.kdf,
    publicKeyFingerprint: await fingerprint(keys.publicKey),
  };
}

export function putPrivateKey(keyserver: Reachable, userId: string, accessToken: string, body: object) {
  return keyserver.http().post(`/api/keys/${userId}`).set(bearer(accessToken)).send(body);
}

/** Asks for a session challenge and opens it with the private key; returns what to submit. */
export async function openChallenge(server: Reachable, sessionToken: string, keys: Pick<KeyPair, 'privateKey'>) {
  const response = await server.http().post('/api/user/session-challenge').set(bearer(sessionToken)).expect(201);
  const challenge = bodyOf<ServerApi.SessionChallengeResponse>(response);
  const token = await openSessionChallenge({
    privateKey: keys.privateKey,
    challengeId: challenge.challengeId,
    enc: fromBase64Url(challenge.enc),
    ciphertext: fromBase64Url(challenge.ciphertext),
  });
  return { challengeId: challenge.challengeId, token: toBase64Url(token) };
}

export async function passSessionChallenge(server: Reachable, sessionToken: string, keys: Pick<KeyPair, 'privateKey'>) {
  const answer = await openChallenge(server, sessionToken, keys);
  const response = await server
    .http()
    .post('/api/user/session-challenge/answer')
    .set(bearer(sessionToken))
    .send(answer);
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ secured: true });
}

/** Seed flow 1 end to end, ending with the session challenge that confirms the key. */
export async function createKeyPair(
  server: Reachable,
  keyserver: Reachable,
  user: TestUser,
  kdf: KdfParams = FAST_KDF,
) {
  const keys = await generateKeyPair();
  expect((await putPublicKey(server, user, keys.publicKey)).status).toBe(200);
  const accessToken = await getAccessToken(server, user);
  expect((await putPrivateKey(keyserver, user.userId, accessToken, await encryptedBlob(user, keys, kdf))).status).toBe(
    201,
  );
  await passSessionChallenge(server, user.sessionToken, keys);
  return keys;
}
