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

/** Strict base64url (no padding) of exactly 32 bytes, or undefined. */
export function decodeSecretToken(value: string | undefined): Buffer | undefined {
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  // Reject non-canonical encodings so one token has exactly one spelling.
  return bytes.toString('base64url') === value ? bytes : undefined;
}
