import { bufferSource, toBase64Url, utf8 } from './encoding.js';
import { InvalidInputError } from './errors.js';

/** HKDF info of the receipt key (PROTOCOL.md, "Key-change receipts"). */
export const KEY_CHANGE_RECEIPT_INFO = 'keyexchange/v1/key-change-receipt';

/** What a receipt is about: the keyserver holds this staged change of this user's key, made on this version. */
export interface KeyChangeReceiptInput {
  userId: string;
  keyChangeId: string;
  baseVersion: number;
}

/**
 * The receipt key both services derive from the keyserver API key they share:
 * HKDF-SHA256 (empty salt, info KEY_CHANGE_RECEIPT_INFO, 32 bytes) as an
 * HMAC-SHA256 key. Derive it once: deriving costs more than signing.
 */
export async function keyChangeReceiptKey(keyserverApiKey: string): Promise<CryptoKey> {
  const { subtle } = globalThis.crypto;
  const ikm = await subtle.importKey('raw', bufferSource(utf8(keyserverApiKey)), 'HKDF', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bufferSource(utf8(KEY_CHANGE_RECEIPT_INFO)) },
    ikm,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}

/**
 * The signed bytes: userId, keyChangeId and baseVersion (decimal), each as
 * UTF-8 preceded by its byte length as a 32-bit big-endian integer.
 */
export function keyChangeReceiptMessage({ userId, keyChangeId, baseVersion }: KeyChangeReceiptInput): Uint8Array {
  if (!Number.isSafeInteger(baseVersion) || baseVersion < 1)
    throw new InvalidInputError('baseVersion must be a positive integer');
  const fields = [userId, keyChangeId, String(baseVersion)].map(utf8);
  const message = new Uint8Array(fields.reduce((length, field) => length + 4 + field.length, 0));
  const view = new DataView(message.buffer);
  let offset = 0;
  for (const field of fields) {
    view.setUint32(offset, field.length);
    message.set(field, offset + 4);
    offset += 4 + field.length;
  }
  return message;
}

/** The receipt the keyserver answers when it stages a change: HMAC-SHA256 of the message, base64url. */
export async function signKeyChangeReceipt(receiptKey: CryptoKey, input: KeyChangeReceiptInput): Promise<string> {
  const tag = await globalThis.crypto.subtle.sign('HMAC', receiptKey, bufferSource(keyChangeReceiptMessage(input)));
  return toBase64Url(new Uint8Array(tag));
}

/** Whether `receipt` is the keyserver's for this change (WebCrypto's HMAC verify compares in constant time). */
export async function verifyKeyChangeReceipt(
  receiptKey: CryptoKey,
  input: KeyChangeReceiptInput,
  receipt: Uint8Array,
): Promise<boolean> {
  return globalThis.crypto.subtle.verify(
    'HMAC',
    receiptKey,
    bufferSource(receipt),
    bufferSource(keyChangeReceiptMessage(input)),
  );
}
