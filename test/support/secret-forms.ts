import { toBase64Url } from '@app/crypto';

/** A secret as it may be written: itself, and the bytes it encodes (or is) in base64, base64url and hex. */
export function forms(secret: string | Uint8Array): string[] {
  if (typeof secret !== 'string') return forms(toBase64Url(secret));
  const bytes = [Buffer.from(secret)];
  if (/^[A-Za-z0-9_-]+$/.test(secret)) bytes.push(Buffer.from(secret, 'base64url'));
  return [
    ...new Set([
      secret,
      ...bytes.flatMap((b) => [b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), b.toString('hex')]),
    ]),
  ];
}
