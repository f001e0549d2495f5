import { isApiError, type KeyserverApi, type KeyserverClient } from '@app/api-client';
import { DEFAULT_KDF_PARAMS, fromBase64Url, type KdfParams, unwrapPrivateKey, wrapPrivateKey } from '@app/crypto';

/** The stored private key as the keyserver serves it, with its pending changes. */
export type Blob = KeyserverApi.EncryptedPrivateKeyResponse;
export type Wrapped = Awaited<ReturnType<typeof wrapPrivateKey>>;
export interface Keys {
  privateKey: CryptoKey;
  privateKeyPkcs8: Uint8Array;
  publicKey: Uint8Array;
  fingerprint: string;
}

export const kdfLabel = (kdf: KdfParams) =>
  `Argon2id, ${Math.round(kdf.memoryKiB / 1024)} MiB, ${kdf.iterations} passes`;

export function wrap(
  keys: Keys,
  password: string,
  userId: string,
  kdf: KdfParams = DEFAULT_KDF_PARAMS,
): Promise<Wrapped> {
  return wrapPrivateKey({ privateKeyPkcs8: keys.privateKeyPkcs8, password, userId, kdf });
}

/** The user's blob, or undefined when the keyserver holds none. */
export async function fetchBlob(keyserver: KeyserverClient, userId: string): Promise<Blob | undefined> {
  try {
    return await keyserver.keys.getEncryptedPrivateKey({ userId });
  } catch (error) {
    if (isApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}

/** Async, so that a malformed field rejects rather than throws. A staged change opens like a blob. */
export async function unwrap(
  blob: Pick<Blob, 'encryptedPrivateKey' | 'iv' | 'salt' | 'kdf'>,
  password: string,
  userId: string,
  publicKeyFingerprint: string | undefined,
) {
  return unwrapPrivateKey({
    encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
    iv: fromBase64Url(blob.iv),
    salt: fromBase64Url(blob.salt),
    kdf: blob.kdf,
    password,
    userId,
    publicKeyFingerprint,
  });
}
