import { createCipheriv, createHash, randomBytes, webcrypto } from 'node:crypto';
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { argon2id } from 'hash-wasm';

/** The cheapest parameters the keyserver takes: below the protocol's defaults, so an unlock re-wraps. */
export const WEAK_KDF = { algorithm: 'argon2id', memoryKiB: 19456, iterations: 2, parallelism: 1 } as const;

const argon2 = (password: string | Uint8Array, salt: Uint8Array, kdf: { memoryKiB: number; iterations: number }) =>
  argon2id({
    password,
    salt,
    memorySize: kdf.memoryKiB,
    iterations: kdf.iterations,
    parallelism: 1,
    hashLength: 32,
    outputType: 'binary',
  });

async function call<T>(url: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/**
 * A user whose key was stored, as an older client would have, under weaker
 * Argon2id parameters than the protocol's defaults: every step done here by
 * hand from PROTOCOL.md (login secret, wrap, session challenge), not by the app.
 */
export async function userWithWeakKey(server: string, keyserver: string, email: string, password: string) {
  const normalized = email.trim().toLowerCase();
  const loginSalt = createHash('sha256').update(`keyexchange/v1/login/${normalized}`).digest().subarray(0, 16);
  const loginSecret = Buffer.from(
    await argon2(password.normalize('NFC'), loginSalt, { memoryKiB: 65536, iterations: 3 }),
  ).toString('base64url');
  const { userId } = await call<{ userId: string }>(`${server}/api/auth/register`, {
    method: 'POST',
    body: { email, password: loginSecret },
  });
  const { sessionToken } = await call<{ sessionToken: string }>(`${server}/api/auth/login`, {
    method: 'POST',
    body: { email, password: loginSecret },
  });

  const pair = (await webcrypto.subtle.generateKey({ name: 'X25519' }, true, [
    'deriveBits',
  ])) as unknown as CryptoKeyPair;
  const publicKey = Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey));
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey));
  await call(`${server}/api/user/public-key`, {
    method: 'PUT',
    token: sessionToken,
    body: { algorithm: 'HPKE-X25519-SHA256-AES256GCM', publicKey: publicKey.toString('base64url') },
  });

  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kek = await argon2(password.normalize('NFC'), salt, WEAK_KDF);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(`keyexchange/v1/private-key/${userId}`));
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final(), cipher.getAuthTag()]);
  const { accessToken } = await call<{ accessToken: string }>(`${server}/api/user/access-token`, {
    method: 'POST',
    token: sessionToken,
  });
  await call(`${keyserver}/api/keys/${userId}`, {
    method: 'POST',
    token: accessToken,
    body: {
      encryptedPrivateKey: encrypted.toString('base64url'),
      iv: iv.toString('base64url'),
      salt: salt.toString('base64url'),
      kdf: WEAK_KDF,
      publicKeyFingerprint: createHash('sha256').update(publicKey).digest('hex'),
    },
  });

  // The session challenge that confirms the key (RFC 9180 base mode, as PROTOCOL.md section 8 says).
  const challenge = await call<{ challengeId: string; enc: string; ciphertext: string }>(
    `${server}/api/user/session-challenge`,
    { method: 'POST', token: sessionToken },
  );
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  const token = await suite.open(
    {
      recipientKey: await suite.kem.deserializePrivateKey(new Uint8Array(pkcs8.subarray(-32)).buffer),
      enc: new Uint8Array(Buffer.from(challenge.enc, 'base64url')).buffer,
      info: new TextEncoder().encode('keyexchange/v1/session-challenge'),
    },
    new Uint8Array(Buffer.from(challenge.ciphertext, 'base64url')).buffer,
    new TextEncoder().encode(challenge.challengeId),
  );
  await call(`${server}/api/user/session-challenge/answer`, {
    method: 'POST',
    token: sessionToken,
    body: { challengeId: challenge.challengeId, token: Buffer.from(token).toString('base64url') },
  });
  return { userId, sessionToken };
}

/** The KDF parameters of the blob the keyserver now serves for the user. */
export async function storedKdf(server: string, keyserver: string, userId: string, sessionToken: string) {
  const { accessToken } = await call<{ accessToken: string }>(`${server}/api/user/access-token`, {
    method: 'POST',
    token: sessionToken,
  });
  const blob = await call<{ kdf: object }>(`${keyserver}/api/keys/${userId}`, { token: accessToken });
  return blob.kdf;
}
