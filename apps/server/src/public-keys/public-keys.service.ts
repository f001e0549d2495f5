import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { fingerprint, fromBase64Url, type KEY_ALGORITHM } from '@app/crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import type { PutPublicKeyRequestDto } from './dto/put-public-key.dto.js';
import type { PublicKeyResponseDto, UserPublicKeyResponseDto } from './dto/public-key-response.dto.js';

interface PublicKeyRow {
  id: string;
  algorithm: typeof KEY_ALGORITHM;
  public_key: Buffer;
  fingerprint: string;
  confirmed: boolean;
}

@Injectable()
export class PublicKeysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores the user's key as pending. A pending key is replaced (and the
   * challenges sealed to it go with it); a confirmed one is not.
   */
  async putPublicKey(session: AuthenticatedSession, dto: PutPublicKeyRequestDto): Promise<PublicKeyResponseDto> {
    const publicKey = fromBase64Url(dto.publicKey);
    const keyFingerprint = await fingerprint(publicKey);
    return this.db.transaction(async (tx) => {
      // Serialises this user's key changes across requests and instances.
      await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [session.userId]);
      await tx.query(`DELETE FROM public_keys WHERE user_id = $1 AND confirmed_at IS NULL`, [session.userId]);
      const [row] = await tx.query<PublicKeyRow[]>(
        `INSERT INTO public_keys (user_id, algorithm, public_key, fingerprint)
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING
         RETURNING id, algorithm, public_key, fingerprint, false AS confirmed`,
        [session.userId, dto.algorithm, publicKey, keyFingerprint],
      );
      if (!row) {
        throw new ConflictException('This user already has a confirmed public key; it cannot be replaced');
      }
      return toResponse(row);
    });
  }

  async getPublicKeyForUser(userId: string): Promise<UserPublicKeyResponseDto> {
    const [row] = await this.db.query<PublicKeyRow[]>(
      `SELECT id, algorithm, public_key, fingerprint, true AS confirmed
         FROM public_keys WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    if (!row) throw new NotFoundException('No such user, or the user has no confirmed public key');
    const { confirmed: _, ...key } = toResponse(row);
    return { userId, ...key };
  }

  /** The user's current key, pending or confirmed. */
  async currentKey(userId: string): Promise<{ id: string; publicKey: Uint8Array } | undefined> {
    const [row] = await this.db.query<PublicKeyRow[]>(`SELECT id, public_key FROM public_keys WHERE user_id = $1`, [userId]);
    return row && { id: row.id, publicKey: new Uint8Array(row.public_key) };
  }

  /**
   * Confirms the key a challenge was sealed to, inside the caller's
   * transaction; false when that key has been replaced since.
   */
  async confirm(manager: EntityManager, publicKeyId: string): Promise<boolean> {
    const [rows] = await manager.query<[unknown[], number]>(
      `UPDATE public_keys SET confirmed_at = coalesce(confirmed_at, now()), updated_at = now()
        WHERE id = $1 RETURNING id`,
      [publicKeyId],
    );
    return rows.length === 1;
  }
}

function toResponse(row: PublicKeyRow): PublicKeyResponseDto {
  return {
    algorithm: row.algorithm,
    publicKey: row.public_key.toString('base64url'),
    fingerprint: row.fingerprint,
    confirmed: row.confirmed,
  };
}
