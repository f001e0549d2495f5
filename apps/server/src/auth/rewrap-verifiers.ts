import type { Logger } from '@nestjs/common';
import { rewrapTable, type RewrapReport, type StorageSealer } from '@app/platform';
import type { DataSource } from 'typeorm';
import { VERIFIER_TABLE } from './auth.service.js';

/** Seals every login verifier under the current verifier key (see rewrapTable). */
export function rewrapVerifiers(
  db: DataSource,
  sealer: StorageSealer,
  logger: Logger,
  batchSize?: number,
): Promise<RewrapReport> {
  return rewrapTable(
    db,
    sealer,
    logger,
    {
      table: VERIFIER_TABLE,
      id: 'id',
      keyId: 'verifier_key_id',
      sealed: 'sealed_verifier',
      plaintext: ['password_hash'],
      encodePlaintext: (row) => Buffer.from(row.password_hash as string, 'utf8'),
    },
    batchSize,
  );
}
