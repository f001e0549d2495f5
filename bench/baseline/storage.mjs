// The services' at-rest sealing (AES-256-GCM, table and row id as additional
// data), opened the same way: the baseline does the same unwrap per request.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** `id:base64url-32-bytes[,...]` → key by id. */
export function keyring(setting) {
  return new Map(
    setting.split(',').map((entry) => {
      const [id, key] = entry.split(':');
      return [id, Buffer.from(key, 'base64url')];
    }),
  );
}

export function open(keys, keyId, sealed, table, rowId) {
  const decipher = createDecipheriv('aes-256-gcm', keys.get(keyId), sealed.subarray(0, 12));
  decipher.setAAD(additionalData(table, rowId));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/** Sealed under the first (current) key of the keyring. */
export function seal(keys, plaintext, table, rowId) {
  const [keyId, key] = keys.entries().next().value;
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(additionalData(table, rowId));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { keyId, sealed: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]) };
}

/** The blob's three parts, each after its length (two bytes). */
export function encodeBlob({ encryptedPrivateKey, iv, salt }) {
  return Buffer.concat(
    [encryptedPrivateKey, iv, salt].flatMap((part) => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(part.length);
      return [length, part];
    }),
  );
}

/** The blob's three length-prefixed parts. */
export function decodeBlob(bytes) {
  const parts = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = bytes.readUInt16BE(offset);
    parts.push(bytes.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  const [encryptedPrivateKey, iv, salt] = parts;
  return { encryptedPrivateKey, iv, salt };
}

const additionalData = (table, rowId) => Buffer.from(`keyexchange/v1/storage/${table}/${rowId}`, 'utf8');
