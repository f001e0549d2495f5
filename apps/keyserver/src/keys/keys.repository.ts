import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { KdfParamsDto } from '@app/contracts';
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

/** A blob to store, already sealed under a storage key. */
export interface SealedBlob {
  userId: string;
  storageKeyId: string;
  sealedBlob: Buffer;
  kdf: KdfParamsDto;
  publicKeyFingerprint: string;
}

/** The SQL of the keys aggregate: the encrypted private keys (one blob per user). */
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
   * Deletes everything the keyserver keeps of the user's keys: the blob and,
   * once key changes exist, the staged changes (their table's DELETE joins
   * here, in the same `tx`). Deleting nothing is not an error: a retry after
   * a lost answer finds nothing left.
   */
  async deleteUserKeys(userId: string, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM encrypted_private_keys WHERE user_id = $1`, [userId]);
  }

  /** Runs `work` in one transaction (a write and the event that records it). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
