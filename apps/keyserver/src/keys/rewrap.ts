import type { Logger } from '@nestjs/common';
import { rewrapTable, type RewrapReport, type StorageSealer } from '@app/platform';
import type { DataSource } from 'typeorm';
import { BLOB_TABLE, encodeBlobSecrets, KEY_CHANGE_TABLE } from './sealed-blob.js';

/** Seals every blob and every staged key change under the current storage key (see rewrapTable). */
export async function rewrapBlobs(
  db: DataSource,
  sealer: StorageSealer,
  logger: Logger,
  batchSize?: number,
): Promise<RewrapReport> {
  const blobs = await rewrapTable(
    db,
    sealer,
    logger,
    {
      table: BLOB_TABLE,
      id: 'user_id',
      keyId: 'storage_key_id',
      sealed: 'sealed_blob',
      plaintext: ['encrypted_private_key', 'iv', 'salt'],
      encodePlaintext: (row) =>
        encodeBlobSecrets({
          encryptedPrivateKey: row.encrypted_private_key as Buffer,
          iv: row.iv as Buffer,
          salt: row.salt as Buffer,
        }),
    },
    batchSize,
  );
  // Staged changes were sealed from the start: no plaintext form.
  const changes = await rewrapTable(
    db,
    sealer,
    logger,
    { table: KEY_CHANGE_TABLE, id: 'id', keyId: 'storage_key_id', sealed: 'sealed_blob', plaintext: [] },
    batchSize,
  );
  return {
    rewrapped: blobs.rewrapped + changes.rewrapped,
    changedMeanwhile: blobs.changedMeanwhile + changes.changedMeanwhile,
    unreadable: blobs.unreadable + changes.unreadable,
  };
}
