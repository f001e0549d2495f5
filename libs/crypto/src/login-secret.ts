import { normalizeEmail } from '@app/contracts/wire';
import { bufferSource, toBase64Url, utf8 } from './encoding.js';
import { argon2id, assertKdfParams, DEFAULT_KDF_PARAMS, type KdfParams } from './kdf.js';

/**
 * What a client sends as its "password": Argon2id of the password, salted per
 * account by the normalised email. The server can verify it but cannot learn
 * the password, nor the key-encryption key (which uses a random salt).
 */
export async function deriveLoginSecret(email: string, password: string, kdf: KdfParams = DEFAULT_KDF_PARAMS): Promise<string> {
  assertKdfParams(kdf);
  const digest = await globalThis.crypto.subtle.digest(
    'SHA-256',
    bufferSource(utf8(`keyexchange/v1/login/${normalizeEmail(email)}`)),
  );
  const salt = new Uint8Array(digest).slice(0, 16);
  return toBase64Url(await argon2id({ password, salt, params: kdf }));
}
