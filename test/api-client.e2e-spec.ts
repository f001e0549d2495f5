import { isApiError, KeyserverClient, ServerClient } from '@app/api-client';
import {
  deriveLoginSecret,
  fromBase64Url,
  generateKeyPair,
  KEY_ALGORITHM,
  openSessionChallenge,
  toBase64Url,
  unwrapPrivateKey,
  wrapPrivateKey,
} from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startServices, type RunningApp } from './support/apps.js';
import { FAST_KDF } from './support/client.js';
import { uniqueEmail } from './support/users.js';

/** The generated TypeScript clients against both services: the contract as its users meet it. */
describe('the generated clients', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
  });
  afterAll(() => closeAll(keyserver, server));

  it('run all three flows', async () => {
    const email = uniqueEmail('client');
    const password = 'correct horse battery staple';
    const anonymous = new ServerClient({ BASE: server.url });
    const loginSecret = await deriveLoginSecret(email, password);
    const { userId } = await anonymous.auth.register({ requestBody: { email, password: loginSecret } });
    const { sessionToken, hasKeyPair } = await anonymous.auth.login({ requestBody: { email, password: loginSecret } });
    expect(hasKeyPair).toBe(false);

    // Separate instances, each with its own base URL and credential.
    const api = new ServerClient({ BASE: server.url, TOKEN: sessionToken });
    const keys = new KeyserverClient({
      BASE: keyserver.url,
      // Every keyserver call spends a token, so each gets a fresh one.
      TOKEN: async () => (await api.accessTokens.getAccessToken()).accessToken,
    });

    const pair = await generateKeyPair();
    const stored = await api.publicKeys.putPublicKey({
      requestBody: { algorithm: KEY_ALGORITHM, publicKey: toBase64Url(pair.publicKey) },
    });
    expect(stored.confirmed).toBe(false);
    const blob = await wrapPrivateKey({ privateKeyPkcs8: pair.privateKeyPkcs8, password, userId, kdf: FAST_KDF });
    await keys.keys.putPrivateKey({
      userId,
      requestBody: {
        encryptedPrivateKey: toBase64Url(blob.encryptedPrivateKey),
        iv: toBase64Url(blob.iv),
        salt: toBase64Url(blob.salt),
        kdf: blob.kdf,
        publicKeyFingerprint: stored.fingerprint,
      },
    });

    const fetched = await keys.keys.getEncryptedPrivateKey({ userId });
    const { privateKey } = await unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(fetched.encryptedPrivateKey),
      iv: fromBase64Url(fetched.iv),
      salt: fromBase64Url(fetched.salt),
      kdf: fetched.kdf,
      password,
      userId,
      publicKeyFingerprint: fetched.publicKeyFingerprint ?? undefined,
    });
    expect(fetched.publicKeyFingerprint).toBe(stored.fingerprint);

    const challenge = await api.sessionChallenge.getSessionChallenge();
    const token = await openSessionChallenge({
      privateKey,
      challengeId: challenge.challengeId,
      enc: fromBase64Url(challenge.enc),
      ciphertext: fromBase64Url(challenge.ciphertext),
    });
    const answer = await api.sessionChallenge.submitSessionChallenge({
      requestBody: { challengeId: challenge.challengeId, token: toBase64Url(token) },
    });
    expect(answer.secured).toBe(true);

    const mine = await api.publicKeys.getPublicKeyForUser({ userId });
    expect(mine.publicKey).toBe(toBase64Url(pair.publicKey));
    expect(await api.auth.getCurrentUser()).toEqual({
      userId,
      email,
      hasKeyPair: true,
      publicKeyFingerprint: stored.fingerprint,
      secured: true,
    });
  });

  it('reports errors as ApiError with the status and the error body', async () => {
    const anonymous = new ServerClient({ BASE: server.url });
    const failure = await anonymous.auth.getCurrentUser().catch((error: unknown) => error);
    expect(isApiError(failure)).toBe(true);
    expect(failure).toMatchObject({ status: 401, body: { statusCode: 401, error: 'Unauthorized' } });

    const keys = new KeyserverClient({ BASE: keyserver.url, TOKEN: 'A'.repeat(43) });
    const refused = await keys.keys
      .getEncryptedPrivateKey({ userId: '3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a' })
      .catch((e: unknown) => e);
    expect(isApiError(refused)).toBe(true);
    expect(refused).toMatchObject({ status: 403, body: { statusCode: 403, error: 'Forbidden' } });
  });
});
