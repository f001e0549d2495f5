import { bufferSource, randomBytes, utf8 } from './encoding.js';
import { DecryptionError, InvalidInputError, KeyMismatchError } from './errors.js';
import {
  argon2id,
  assertKdfParams,
  assertWithinBudget,
  DEFAULT_KDF_PARAMS,
  type KdfBudget,
  type KdfParams,
} from './kdf.js';
import { fingerprint, type HeldKey, holdPrivateKey, importPrivateKey, publicKeyOf } from './keys.js';

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
  return globalThis.crypto.subtle.importKey('raw', bufferSource(kek), { name: 'AES-GCM' }, false, [
    'encrypt',
    'decrypt',
  ]);
}

function assertSize(name: keyof typeof PRIVATE_KEY_BLOB_LIMITS, bytes: Uint8Array): void {
  const { min, max } = PRIVATE_KEY_BLOB_LIMITS[name];
  if (!(bytes instanceof Uint8Array) || bytes.length < min || bytes.length > max) {
    throw new InvalidInputError(
      min === max ? `${name} must be ${min} bytes` : `${name} must be ${min} to ${max} bytes`,
    );
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

type UnwrapInput = EncryptedPrivateKey & {
  password: string;
  userId: string;
  publicKeyFingerprint?: string;
  budget?: KdfBudget;
};

/**
 * Decrypts a blob from the keyserver with the password. Given the fingerprint
 * the blob is stored under, it also proves the key is that public key's:
 * KeyMismatchError, never a wrong password, when it is another key.
 * Parameters over `budget` are refused before any work.
 */
export async function unwrapPrivateKey(
  input: UnwrapInput,
): Promise<{ privateKey: CryptoKey; privateKeyPkcs8: Uint8Array; publicKey: Uint8Array; fingerprint: string }> {
  const privateKeyPkcs8 = await decryptPkcs8(input);
  let privateKey: CryptoKey;
  try {
    privateKey = await importPrivateKey(privateKeyPkcs8);
  } catch (cause) {
    throw new DecryptionError('The decrypted data is not an X25519 private key', { cause });
  }
  const publicKey = await publicKeyOf(privateKey);
  const keyFingerprint = await fingerprint(publicKey);
  checkFingerprint(input, keyFingerprint);
  return { privateKey, privateKeyPkcs8, publicKey, fingerprint: keyFingerprint };
}

/**
 * unwrapPrivateKey for a key that must never be read again (a browser's
 * worker): imported non-extractable, its decrypted bytes zeroed before this returns.
 */
export async function unwrapHeldKey(input: UnwrapInput): Promise<HeldKey> {
  const privateKeyPkcs8 = await decryptPkcs8(input);
  let held: HeldKey;
  try {
    held = await holdPrivateKey(privateKeyPkcs8);
  } catch (cause) {
    throw new DecryptionError('The decrypted data is not an X25519 private key', { cause });
  } finally {
    privateKeyPkcs8.fill(0);
  }
  checkFingerprint(input, held.fingerprint);
  return held;
}

async function decryptPkcs8(input: UnwrapInput): Promise<Uint8Array> {
  // The budget first: a blob no client can compute is "too costly", not "malformed".
  assertWithinBudget(input.kdf, input.budget);
  assertKdfParams(input.kdf);
  assertSize('iv', input.iv);
  assertSize('salt', input.salt);
  assertSize('encryptedPrivateKey', input.encryptedPrivateKey);
  const key = await keyEncryptionKey(input.password, input.salt, input.kdf);
  try {
    return new Uint8Array(
      await globalThis.crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: bufferSource(input.iv), additionalData: bufferSource(additionalData(input.userId)) },
        key,
        bufferSource(input.encryptedPrivateKey),
      ),
    );
  } catch (cause) {
    throw new DecryptionError(undefined, { cause });
  }
}

function checkFingerprint(input: UnwrapInput, keyFingerprint: string): void {
  if (input.publicKeyFingerprint !== undefined && input.publicKeyFingerprint !== keyFingerprint)
    throw new KeyMismatchError();
}
