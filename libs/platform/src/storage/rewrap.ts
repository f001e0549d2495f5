import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { StorageIntegrityError, StorageKeyMissingError, type StorageSealer } from './storage-sealer.js';

/** A table whose secret columns are sealed: where they are, and how a row from before sealing reads. */
export interface SealedTable {
  table: string;
  /** The row id: the sealed value's additional data names it. */
  id: string;
  keyId: string;
  sealed: string;
  /** Columns of rows stored before sealing, set to NULL once sealed (none for a table that was always sealed). */
  plaintext: string[];
  /** What gets sealed, from a row's plaintext columns. */
  encodePlaintext?: (row: Record<string, unknown>) => Buffer;
}

export interface RewrapReport {
  rewrapped: number;
  /** Written by their owner while being rewrapped: that write sealed them under the current key already. */
  changedMeanwhile: number;
  /** Sealed under a key id this configuration lacks, or not opening: left as they are, and logged. */
  unreadable: number;
}

/**
 * Seals every row not yet under the current storage key with it, in batches,
 * while the service keeps answering. A row is written only if its stored
 * values are unchanged since they were read (every owner's write seals anew,
 * with a fresh nonce), so a concurrent write is never overwritten with old
 * data. Afterwards an old key holds no row and can be removed.
 */
export async function rewrapTable(
  db: DataSource,
  sealer: StorageSealer,
  logger: Logger,
  spec: SealedTable,
  batchSize = 100,
): Promise<RewrapReport> {
  const report: RewrapReport = { rewrapped: 0, changedMeanwhile: 0, unreadable: 0 };
  const { table, id, keyId, sealed } = spec;
  const columns = [id, keyId, sealed, ...spec.plaintext].join(', ');
  const [firstPlaintext] = spec.plaintext;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.query<Record<string, unknown>[]>(
      `SELECT ${columns} FROM ${table} WHERE ${keyId} IS DISTINCT FROM $1 AND ${id} > $2 ORDER BY ${id} LIMIT $3`,
      [sealer.currentKeyId, after, batchSize],
    );
    if (rows.length === 0) return report;
    for (const row of rows) {
      const rowId = String(row[id]);
      after = rowId;
      let plaintext: Buffer;
      try {
        plaintext =
          row[sealed] && row[keyId]
            ? sealer.open(row[keyId] as string, row[sealed] as Buffer, table, rowId)
            : spec.encodePlaintext!(row);
      } catch (error) {
        if (!(error instanceof StorageKeyMissingError || error instanceof StorageIntegrityError)) throw error;
        logger.error(`${table} row ${rowId} left as it is: ${error.message}`);
        report.unreadable++;
        continue;
      }
      const next = sealer.seal(plaintext, table, rowId);
      const cleared = spec.plaintext.map((column) => `, ${column} = NULL`).join('');
      const [, changed] = await db.query<[unknown[], number]>(
        `UPDATE ${table} SET ${keyId} = $2, ${sealed} = $3${cleared}
          WHERE ${id} = $1 AND ${keyId} IS NOT DISTINCT FROM $4 AND ${sealed} IS NOT DISTINCT FROM $5
            ${firstPlaintext ? `AND ${firstPlaintext} IS NOT DISTINCT FROM $6` : ''}`,
        [rowId, next.keyId, next.sealed, row[keyId], row[sealed], ...(firstPlaintext ? [row[firstPlaintext]] : [])],
      );
      if (changed === 1) report.rewrapped++;
      else report.changedMeanwhile++;
    }
  }
}
