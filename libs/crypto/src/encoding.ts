import { decodeBase64Url } from '@app/contracts/wire';
import { InvalidInputError } from './errors.js';

export { toBase64Url } from '@app/contracts/wire';

/** Strict base64url (see `decodeBase64Url`); InvalidInputError when `text` is not one. */
export function fromBase64Url(text: string): Uint8Array {
  const bytes = decodeBase64Url(text);
  if (!bytes) throw new InvalidInputError('Not base64url without padding');
  return bytes;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function fromHex(text: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new InvalidInputError('Not hex');
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

const encoder = new TextEncoder();
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** A copy that WebCrypto accepts as BufferSource whatever the input's backing buffer. */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
