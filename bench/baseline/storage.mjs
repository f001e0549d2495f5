// The services' at-rest sealing (AES-256-GCM, table and row id as additional
// data), opened the same way: the baseline does the same unwrap per request.
import { createDecipheriv } from 'node:crypto';

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
  decipher.setAAD(Buffer.from(`keyexchange/v1/storage/${table}/${rowId}`, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
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
