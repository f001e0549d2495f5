import { decodeBase64Url } from '@app/contracts';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Session tokens, access tokens and challenge tokens are all 32 random bytes. */
export const SECRET_TOKEN_BYTES = 32;

export function generateSecretToken(): Buffer {
  return randomBytes(SECRET_TOKEN_BYTES);
}

/** What the database stores in place of a secret token. */
export function hashSecret(secret: Buffer | string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function equalHashes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 32 bytes of a token in strict base64url, or undefined. */
export function decodeSecretToken(value: string | undefined): Buffer | undefined {
  const bytes = decodeBase64Url(value);
  return bytes?.length === SECRET_TOKEN_BYTES ? Buffer.from(bytes) : undefined;
}
