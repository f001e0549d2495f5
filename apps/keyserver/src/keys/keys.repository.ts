import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { KdfParamsDto } from '@app/contracts';
import { pruneInBatches, type PruneReport } from '@app/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** How many blobs one storage key holds; `blobs` is a bigint count, so a string. */
export interface StorageKeyBlobCountRow {
  storage_key_id: string | null;
  blobs: string;
}

/** A user's stored blob, as read back. */
export interface BlobRow {
  storage_key_id: string | null;
  sealed_blob: Buffer | null;
  /** Plaintext columns: only rows stored before blobs were sealed. */
  encrypted_private_key: Buffer | null;
  iv: Buffer | null;
  salt: Buffer | null;
  kdf_algorithm: 'argon2id';
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  public_key_fingerprint: string | null;
  updated_at: Date;
  version: number;
}

const SELECT_CHANGE = `SELECT id, base_version, storage_key_id, sealed_blob, kdf_algorithm, kdf_memory_kib, kdf_iterations,
       kdf_parallelism, public_key_fingerprint, created_at FROM key_changes`;

/** A blob to store, already sealed under a storage key. */
export interface SealedBlob {
  userId: string;
  storageKeyId: string;
  sealedBlob: Buffer;
  kdf: KdfParamsDto;
  publicKeyFingerprint: string;
}

/** A staged key change as stored: sealed like a blob, under its own id. */
export interface KeyChangeRow {
  id: string;
  base_version: number;
  storage_key_id: string;
  sealed_blob: Buffer;
  kdf_algorithm: 'argon2id';
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  public_key_fingerprint: string;
  created_at: Date;
}

/** A change to stage, already sealed under a storage key (bound to its id). */
export interface SealedKeyChange {
  id: string;
  userId: string;
  baseVersion: number;
  storageKeyId: string;
  sealedBlob: Buffer;
  kdf: KdfParamsDto;
  publicKeyFingerprint: string;
}

/** Where a change stands on this keyserver: staged, applied (with the key's current version), or unknown. */
export type KeyChangeState =
  { state: 'staged'; change: KeyChangeRow } | { state: 'applied'; currentVersion: number } | undefined;

/**
 * The SQL of the keys aggregate: the encrypted private keys (one blob per
 * user) and their staged key changes, each a blob waiting to replace it.
 */
@Injectable()
export class KeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The number of blobs sealed under each storage key id (null: not yet sealed). */
  countBlobsByStorageKey(): Promise<StorageKeyBlobCountRow[]> {
    return this.db.query<StorageKeyBlobCountRow[]>(
      `SELECT storage_key_id, count(*) AS blobs FROM encrypted_private_keys GROUP BY storage_key_id ORDER BY storage_key_id`,
    );
  }

  /**
   * Stores the user's sealed blob and returns when it was stored, or
   * undefined when a blob for the same public key is stored already: the
   * first blob for a key is final; a blob of another key is replaced (its
   * plaintext columns cleared, as the sealed blob supersedes them).
   */
  async putSealedBlob(blob: SealedBlob, tx?: EntityManager): Promise<{ created_at: Date } | undefined> {
    const [row] = await (tx ?? this.db.manager).query<{ created_at: Date }[]>(
      `INSERT INTO encrypted_private_keys AS stored
         (user_id, storage_key_id, sealed_blob, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism,
          public_key_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) DO UPDATE SET storage_key_id = EXCLUDED.storage_key_id, sealed_blob = EXCLUDED.sealed_blob,
           encrypted_private_key = NULL, iv = NULL, salt = NULL,
           kdf_algorithm = EXCLUDED.kdf_algorithm, kdf_memory_kib = EXCLUDED.kdf_memory_kib,
           kdf_iterations = EXCLUDED.kdf_iterations, kdf_parallelism = EXCLUDED.kdf_parallelism,
           public_key_fingerprint = EXCLUDED.public_key_fingerprint, version = 1, created_at = now(), updated_at = now()
         WHERE stored.public_key_fingerprint IS DISTINCT FROM EXCLUDED.public_key_fingerprint
       RETURNING created_at`,
      [
        blob.userId,
        blob.storageKeyId,
        blob.sealedBlob,
        blob.kdf.algorithm,
        blob.kdf.memoryKiB,
        blob.kdf.iterations,
        blob.kdf.parallelism,
        blob.publicKeyFingerprint,
      ],
    );
    return row;
  }

  /** The user's stored blob, or undefined when none is stored. */
  async findBlob(userId: string): Promise<BlobRow | undefined> {
    const [row] = await this.db.query<BlobRow[]>(
      `SELECT storage_key_id, sealed_blob, encrypted_private_key, iv, salt,
              kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, public_key_fingerprint, updated_at, version
         FROM encrypted_private_keys WHERE user_id = $1`,
      [userId],
    );
    return row;
  }

  /**
   * Deletes everything the keyserver keeps of the user's keys: the blob, and
   * with it (cascading) the staged and applied key changes. Deleting nothing
   * is not an error: a retry after a lost answer finds nothing left.
   */
  async deleteUserKeys(userId: string, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM encrypted_private_keys WHERE user_id = $1`, [userId]);
  }

  /** Forgets the user's key changes: they were made on a blob that another key's has just replaced. */
  async deleteKeyChanges(userId: string, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM key_changes WHERE user_id = $1`, [userId]);
    await tx.query(`DELETE FROM applied_key_changes WHERE user_id = $1`, [userId]);
  }

  /**
   * The blob's version and key, locked until `tx` ends: staging counts and
   * applying moves the version under this lock, so neither races the other.
   */
  async lockBlob(
    userId: string,
    tx: EntityManager,
  ): Promise<{ version: number; public_key_fingerprint: string | null } | undefined> {
    const [row] = await tx.query<{ version: number; public_key_fingerprint: string | null }[]>(
      `SELECT version, public_key_fingerprint FROM encrypted_private_keys WHERE user_id = $1 FOR UPDATE`,
      [userId],
    );
    return row;
  }

  /** How many changes the user holds staged. */
  async countStagedChanges(userId: string, tx: EntityManager): Promise<number> {
    const [row] = await tx.query<{ staged: number }[]>(
      `SELECT count(*)::int AS staged FROM key_changes WHERE user_id = $1`,
      [userId],
    );
    return row.staged;
  }

  /** Stages a sealed change; answers when. */
  async stageChange(change: SealedKeyChange, tx: EntityManager): Promise<Date> {
    const [row] = await tx.query<{ created_at: Date }[]>(
      `INSERT INTO key_changes (user_id, base_version, storage_key_id, sealed_blob,
                                kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, public_key_fingerprint, id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING created_at`,
      [...changeParameters(change), change.id],
    );
    return row.created_at;
  }

  /** The user's staged changes, oldest first. */
  listStagedChanges(userId: string): Promise<KeyChangeRow[]> {
    return this.db.query<KeyChangeRow[]>(`${SELECT_CHANGE} WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
  }

  /**
   * The change staged for this base version, when it is exactly the step the
   * blob is waiting for: the blob is at `baseVersion`. One indexed read: the
   * keyserver asks it on every request of a user who has committed a change.
   */
  async findApplicableChange(
    userId: string,
    keyChangeId: string,
    baseVersion: number,
  ): Promise<KeyChangeRow | undefined> {
    const [row] = await this.db.query<KeyChangeRow[]>(
      `${SELECT_CHANGE} c WHERE c.id = $1 AND c.user_id = $2 AND c.base_version = $3
          AND EXISTS (SELECT 1 FROM encrypted_private_keys b WHERE b.user_id = c.user_id AND b.version = c.base_version)`,
      [keyChangeId, userId, baseVersion],
    );
    return row;
  }

  /** Where the user's change stands here. */
  async findChangeState(userId: string, keyChangeId: string): Promise<KeyChangeState> {
    const [staged] = await this.db.query<KeyChangeRow[]>(`${SELECT_CHANGE} WHERE id = $1 AND user_id = $2`, [
      keyChangeId,
      userId,
    ]);
    if (staged) return { state: 'staged', change: staged };
    const [applied] = await this.db.query<{ version: number }[]>(
      `SELECT b.version FROM applied_key_changes a JOIN encrypted_private_keys b ON b.user_id = a.user_id
        WHERE a.id = $1 AND a.user_id = $2`,
      [keyChangeId, userId],
    );
    return applied && { state: 'applied', currentVersion: applied.version };
  }

  /**
   * Makes a staged change the blob (resealed for the blob's row) when the blob
   * is still at the change's base version; answers the new version, or
   * undefined when another request applied it first. Every change staged on
   * that base version goes (none can be committed any more) and the applied
   * one leaves its id.
   */
  async applyChange(change: SealedKeyChange, tx: EntityManager): Promise<number | undefined> {
    const [rows] = await tx.query<[{ version: number }[], number]>(
      `UPDATE encrypted_private_keys
          SET storage_key_id = $3, sealed_blob = $4, encrypted_private_key = NULL, iv = NULL, salt = NULL,
              kdf_algorithm = $5, kdf_memory_kib = $6, kdf_iterations = $7, kdf_parallelism = $8,
              version = version + 1, updated_at = now()
        WHERE user_id = $1 AND version = $2 AND public_key_fingerprint = $9
        RETURNING version`,
      changeParameters(change),
    );
    const [row] = rows;
    if (!row) return undefined;
    await tx.query(`DELETE FROM key_changes WHERE user_id = $1 AND base_version = $2`, [
      change.userId,
      change.baseVersion,
    ]);
    await tx.query(`INSERT INTO applied_key_changes (id, user_id, version) VALUES ($1, $2, $3)`, [
      change.id,
      change.userId,
      row.version,
    ]);
    return row.version;
  }

  /** Deletes a staged change; false when it was not staged (any more). */
  async deleteStagedChange(userId: string, keyChangeId: string, tx: EntityManager): Promise<boolean> {
    const [rows] = await tx.query<[unknown[], number]>(
      `DELETE FROM key_changes WHERE id = $1 AND user_id = $2 RETURNING id`,
      [keyChangeId, userId],
    );
    return rows.length === 1;
  }

  /**
   * Applied changes before each user's last: only the last one's apply
   * request may still come (a client whose answer was lost).
   */
  deleteSupersededAppliedChanges(batchSize: number): Promise<PruneReport> {
    return pruneInBatches(
      this.db,
      'applied_key_changes',
      `EXISTS (SELECT 1 FROM applied_key_changes later
         WHERE later.user_id = applied_key_changes.user_id AND later.version > applied_key_changes.version)`,
      [],
      batchSize,
    );
  }

  /** Runs `work` in one transaction (a write and the event that records it). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}

/** $1 to $9 of the statements that stage or apply a change. */
function changeParameters(change: SealedKeyChange): unknown[] {
  const { kdf } = change;
  return [
    change.userId,
    change.baseVersion,
    change.storageKeyId,
    change.sealedBlob,
    kdf.algorithm,
    kdf.memoryKiB,
    kdf.iterations,
    kdf.parallelism,
    change.publicKeyFingerprint,
  ];
}
