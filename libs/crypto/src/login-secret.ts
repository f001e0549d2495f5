import { normalizeEmail } from '@app/contracts/wire';
import { bufferSource, toBase64Url, utf8 } from './encoding.js';
import { argon2id, type KdfParams } from './kdf.js';

/** Fixed by protocol v1 (PROTOCOL.md): every client must derive the same secret. */
export const LOGIN_SECRET_KDF: Readonly<KdfParams> = Object.freeze({
  algorithm: 'argon2id',
  memoryKiB: 65536,
  iterations: 3,
  parallelism: 1,
});

/**
 * What a client sends as its "password": Argon2id of the password, salted per
 * account by the normalised email. The server can verify it but cannot learn
 * the password, nor the key-encryption key (which uses a random salt).
 */
export async function deriveLoginSecret(email: string, password: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest(
    'SHA-256',
    bufferSource(utf8(`keyexchange/v1/login/${normalizeEmail(email)}`)),
  );
  const salt = new Uint8Array(digest).slice(0, 16);
  return toBase64Url(await argon2id({ password, salt, params: LOGIN_SECRET_KDF }));
}
