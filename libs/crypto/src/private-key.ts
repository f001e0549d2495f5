import { bufferSource, randomBytes, utf8 } from './encoding.js';
import { DecryptionError, InvalidInputError } from './errors.js';
import { argon2id, assertKdfParams, DEFAULT_KDF_PARAMS, type KdfParams } from './kdf.js';
import { importPrivateKey } from './keys.js';

/** Sizes of the blob the keyserver stores; it refuses anything outside them. */
export const PRIVATE_KEY_BLOB_LIMITS = {
  iv: { min: 12, max: 12 },
  salt: { min: 16, max: 64 },
  /** AES-GCM ciphertext plus its 16-byte tag. */
  encryptedPrivateKey: { min: 17, max: 4096 },
} as const;

const SALT_BYTES = 16;
const IV_BYTES = 12;

export interface EncryptedPrivateKey {
  encryptedPrivateKey: Uint8Array;
  iv: Uint8Array;
  salt: Uint8Array;
  kdf: KdfParams;
}

/** Binds a blob to its owner: one user's blob cannot be served as another's. */
const additionalData = (userId: string) => utf8(`keyexchange/v1/private-key/${userId}`);

async function keyEncryptionKey(password: string, salt: Uint8Array, kdf: KdfParams): Promise<CryptoKey> {
  const kek = await argon2id({ password, salt, params: kdf });
  return globalThis.crypto.subtle.importKey('raw', bufferSource(kek), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

function assertSize(name: keyof typeof PRIVATE_KEY_BLOB_LIMITS, bytes: Uint8Array): void {
  const { min, max } = PRIVATE_KEY_BLOB_LIMITS[name];
  if (!(bytes instanceof Uint8Array) || bytes.length < min || bytes.length > max) {
    throw new InvalidInputError(min === max ? `${name} must be ${min} bytes` : `${name} must be ${min} to ${max} bytes`);
  }
}

/** Encrypts the PKCS#8 private key under a key derived from the password (seed step encryptKey). */
export async function wrapPrivateKey(input: {
  privateKeyPkcs8: Uint8Array;
  password: string;
  userId: string;
  kdf?: KdfParams;
}): Promise<EncryptedPrivateKey> {
  const kdf = { ...(input.kdf ?? DEFAULT_KDF_PARAMS) };
  assertKdfParams(kdf);
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await keyEncryptionKey(input.password, salt, kdf);
  const ciphertext = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: bufferSource(iv), additionalData: bufferSource(additionalData(input.userId)) },
    key,
    bufferSource(input.privateKeyPkcs8),
  );
  return { encryptedPrivateKey: new Uint8Array(ciphertext), iv, salt, kdf };
}

/** Decrypts a blob from the keyserver with the password; DecryptionError if anything is off. */
export async function unwrapPrivateKey(
  input: EncryptedPrivateKey & { password: string; userId: string },
): Promise<{ privateKey: CryptoKey; privateKeyPkcs8: Uint8Array }> {
  assertKdfParams(input.kdf);
  assertSize('iv', input.iv);
  assertSize('salt', input.salt);
  assertSize('encryptedPrivateKey', input.encryptedPrivateKey);
  const key = await keyEncryptionKey(input.password, input.salt, input.kdf);
  let plaintext: ArrayBuffer;
  try {
    plaintext = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bufferSource(input.iv), additionalData: bufferSource(additionalData(input.userId)) },
      key,
      bufferSource(input.encryptedPrivateKey),
    );
  } catch (cause) {
    throw new DecryptionError(undefined, { cause });
  }
  const privateKeyPkcs8 = new Uint8Array(plaintext);
  try {
    return { privateKey: await importPrivateKey(privateKeyPkcs8), privateKeyPkcs8 };
  } catch (cause) {
    throw new DecryptionError('The decrypted data is not an X25519 private key', { cause });
  }
}
