import { StorageIntegrityError } from '@app/platform';

/** The secret parts of a stored blob: what a password guess could be tested against. */
export interface BlobSecrets {
  encryptedPrivateKey: Buffer;
  iv: Buffer;
  salt: Buffer;
}

/** The table sealed values belong to, part of their additional data. */
export const BLOB_TABLE = 'encrypted_private_keys';

/** One byte string for sealing: each part with a 2-byte big-endian length. */
export function encodeBlobSecrets({ encryptedPrivateKey, iv, salt }: BlobSecrets): Buffer {
  return Buffer.concat([encryptedPrivateKey, iv, salt].flatMap((part) => [u16(part.length), part]));
}

export function decodeBlobSecrets(bytes: Buffer): BlobSecrets {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length) break;
    const length = bytes.readUInt16BE(offset);
    if (offset + 2 + length > bytes.length) break;
    parts.push(bytes.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (parts.length !== 3 || offset !== bytes.length)
    throw new StorageIntegrityError('A sealed blob is not three parts');
  const [encryptedPrivateKey, iv, salt] = parts;
  return { encryptedPrivateKey, iv, salt };
}

function u16(n: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(n);
  return out;
}

/** The table staged key changes belong to: sealed under their change id, never the user's id. */
export const KEY_CHANGE_TABLE = 'key_changes';
