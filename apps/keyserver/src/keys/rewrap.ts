import type { Logger } from '@nestjs/common';
import { StorageIntegrityError, StorageKeyMissingError, type StorageSealer } from '@app/platform';
import type { DataSource } from 'typeorm';
import { BLOB_TABLE, decodeBlobSecrets, encodeBlobSecrets, type BlobSecrets } from './sealed-blob.js';

export interface RewrapReport {
  rewrapped: number;
  /** Changed by their owner while being rewrapped: already sealed under the current key by that write. */
  changedMeanwhile: number;
  /** Sealed under a key id this configuration lacks, or not opening: left as they are. */
  unreadable: number;
}

interface Row {
  user_id: string;
  storage_key_id: string | null;
  sealed_blob: Buffer | null;
  encrypted_private_key: Buffer | null;
  iv: Buffer | null;
  salt: Buffer | null;
}

/**
 * Seals every blob not yet under the current storage key with it, in batches,
 * while the keyserver keeps answering. Each row is written only if it is
 * unchanged since it was read, so a user's concurrent write is never
 * overwritten with old data. Afterwards an old key holds no row and can go.
 */
export async function rewrapBlobs(db: DataSource, sealer: StorageSealer, logger: Logger, batchSize = 100): Promise<RewrapReport> {
  const report: RewrapReport = { rewrapped: 0, changedMeanwhile: 0, unreadable: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.query<Row[]>(
      `SELECT user_id, storage_key_id, sealed_blob, encrypted_private_key, iv, salt
         FROM encrypted_private_keys
        WHERE storage_key_id IS DISTINCT FROM $1 AND user_id > $2
        ORDER BY user_id LIMIT $3`,
      [sealer.currentKeyId, after, batchSize],
    );
    if (rows.length === 0) return report;
    for (const row of rows) {
      after = row.user_id;
      let secrets: BlobSecrets;
      try {
        secrets =
          row.sealed_blob && row.storage_key_id
            ? decodeBlobSecrets(sealer.open(row.storage_key_id, row.sealed_blob, BLOB_TABLE, row.user_id))
            : { encryptedPrivateKey: row.encrypted_private_key!, iv: row.iv!, salt: row.salt! };
      } catch (error) {
        if (!(error instanceof StorageKeyMissingError || error instanceof StorageIntegrityError)) throw error;
        logger.error(`Blob of user ${row.user_id} left as it is: ${error.message}`);
        report.unreadable++;
        continue;
      }
      const { keyId, sealed } = sealer.seal(encodeBlobSecrets(secrets), BLOB_TABLE, row.user_id);
      // Every owner's write seals anew (a fresh nonce): the same bytes mean nobody wrote since the read.
      // (Not updated_at: the driver reads it to the millisecond, PostgreSQL keeps microseconds.)
      const [, changed] = await db.query<[unknown[], number]>(
        `UPDATE encrypted_private_keys
            SET storage_key_id = $2, sealed_blob = $3, encrypted_private_key = NULL, iv = NULL, salt = NULL
          WHERE user_id = $1 AND storage_key_id IS NOT DISTINCT FROM $4
            AND sealed_blob IS NOT DISTINCT FROM $5 AND encrypted_private_key IS NOT DISTINCT FROM $6`,
        [row.user_id, keyId, sealed, row.storage_key_id, row.sealed_blob, row.encrypted_private_key],
      );
      if (changed === 1) report.rewrapped++;
      else report.changedMeanwhile++;
    }
  }
}
