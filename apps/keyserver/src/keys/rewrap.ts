import type { Logger } from '@nestjs/common';
import { rewrapTable, type RewrapReport, type StorageSealer } from '@app/platform';
import type { DataSource } from 'typeorm';
import { BLOB_TABLE, encodeBlobSecrets } from './sealed-blob.js';

/** Seals every blob under the current storage key (see rewrapTable). */
export function rewrapBlobs(db: DataSource, sealer: StorageSealer, logger: Logger, batchSize?: number): Promise<RewrapReport> {
  return rewrapTable(
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
        encodeBlobSecrets({ encryptedPrivateKey: row.encrypted_private_key as Buffer, iv: row.iv as Buffer, salt: row.salt as Buffer }),
    },
    batchSize,
  );
}
