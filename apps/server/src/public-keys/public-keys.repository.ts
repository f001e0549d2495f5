import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { KEY_ALGORITHM } from '@app/crypto';
import type { DataSource, EntityManager } from 'typeorm';

export interface PublicKeyRow {
  id: string;
  algorithm: typeof KEY_ALGORITHM;
  public_key: Buffer;
  fingerprint: string;
  confirmed: boolean;
}

/** The public keys aggregate: one per user, pending until a session challenge confirms it. */
@Injectable()
export class PublicKeysRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Serialises one user's key changes across requests and instances: taken
   * first by every transaction that replaces or confirms the user's key
   * (always user, then key, then challenge: no deadlock).
   */
  async lockKeysOf(tx: EntityManager, userId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
  }

  /**
   * Replaces the user's pending key (the challenges sealed to it cascade) with
   * this one; undefined when the user's key is confirmed and stays.
   */
  async replacePending(
    tx: EntityManager,
    key: { userId: string; algorithm: string; publicKey: Uint8Array; fingerprint: string },
  ): Promise<PublicKeyRow | undefined> {
    await tx.query(`DELETE FROM public_keys WHERE user_id = $1 AND confirmed_at IS NULL`, [key.userId]);
    const [row] = await tx.query<PublicKeyRow[]>(
      `INSERT INTO public_keys (user_id, algorithm, public_key, fingerprint)
       VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING
       RETURNING id, algorithm, public_key, fingerprint, false AS confirmed`,
      [key.userId, key.algorithm, key.publicKey, key.fingerprint],
    );
    return row;
  }

  async findConfirmed(userId: string): Promise<PublicKeyRow | undefined> {
    const [row] = await this.db.query<PublicKeyRow[]>(
      `SELECT id, algorithm, public_key, fingerprint, true AS confirmed
         FROM public_keys WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    return row;
  }

  /** The user's key, pending or confirmed. */
  async findCurrent(userId: string): Promise<Pick<PublicKeyRow, 'id' | 'public_key'> | undefined> {
    const [row] = await this.db.query<PublicKeyRow[]>(`SELECT id, public_key FROM public_keys WHERE user_id = $1`, [
      userId,
    ]);
    return row;
  }

  /** Confirms a key in the caller's transaction: now, earlier, or not at all (it was replaced since). */
  async confirm(tx: EntityManager, publicKeyId: string): Promise<'confirmed' | 'already-confirmed' | 'replaced'> {
    const [rows] = await tx.query<[{ newly: boolean }[], number]>(
      // now() is the transaction's start: only a key confirmed by this transaction has it.
      `UPDATE public_keys SET confirmed_at = coalesce(confirmed_at, now()), key_version = coalesce(key_version, 1), updated_at = now()
        WHERE id = $1 RETURNING confirmed_at = now() AS newly`,
      [publicKeyId],
    );
    const [row] = rows;
    return !row ? 'replaced' : row.newly ? 'confirmed' : 'already-confirmed';
  }

  /** The confirmed key's version (null while pending, undefined without a key). */
  async findKeyVersion(userId: string, tx?: EntityManager): Promise<number | null | undefined> {
    const [row] = await (tx ?? this.db.manager).query<{ key_version: number | null }[]>(
      `SELECT key_version FROM public_keys WHERE user_id = $1`,
      [userId],
    );
    return row?.key_version;
  }

  /** Moves the confirmed key's version, in the caller's transaction (which holds lockKeysOf). */
  async setKeyVersion(tx: EntityManager, userId: string, keyVersion: number): Promise<void> {
    await tx.query(
      `UPDATE public_keys SET key_version = $2, updated_at = now() WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId, keyVersion],
    );
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
