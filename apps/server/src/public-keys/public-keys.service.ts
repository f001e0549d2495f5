import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { fingerprint, fromBase64Url } from '@app/crypto';
import { EventsRepository, type RequestOrigin } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { serverEvent } from '../events/server-events.js';
import type { PutPublicKeyRequestDto } from './dto/put-public-key.dto.js';
import type { PublicKeyResponseDto, UserPublicKeyResponseDto } from './dto/public-key-response.dto.js';
import { PublicKeysRepository, type PublicKeyRow } from './public-keys.repository.js';

@Injectable()
export class PublicKeysService {
  constructor(
    private readonly keys: PublicKeysRepository,
    private readonly events: EventsRepository,
  ) {}

  /**
   * Stores the user's key as pending. A pending key is replaced (and the
   * challenges sealed to it go with it); a confirmed one is not.
   */
  async putPublicKey(
    session: AuthenticatedSession,
    dto: PutPublicKeyRequestDto,
    origin: RequestOrigin,
  ): Promise<PublicKeyResponseDto> {
    const publicKey = fromBase64Url(dto.publicKey);
    const keyFingerprint = await fingerprint(publicKey);
    return this.keys.transaction(async (tx) => {
      await this.keys.lockKeysOf(tx, session.userId);
      const row = await this.keys.replacePending(tx, {
        userId: session.userId,
        algorithm: dto.algorithm,
        publicKey,
        fingerprint: keyFingerprint,
      });
      if (!row) {
        throw new ConflictException('This user already has a confirmed public key; it cannot be replaced');
      }
      await this.events.record(serverEvent(session.userId, 'public-key.put', origin), tx);
      return toResponse(row);
    });
  }

  async getPublicKeyForUser(userId: string): Promise<UserPublicKeyResponseDto> {
    const row = await this.keys.findConfirmed(userId);
    if (!row) throw new NotFoundException('No such user, or the user has no confirmed public key');
    const { confirmed: _, ...key } = toResponse(row);
    return { userId, ...key };
  }

  /** The user's current key, pending or confirmed. */
  async currentKey(userId: string): Promise<{ id: string; publicKey: Uint8Array } | undefined> {
    const row = await this.keys.findCurrent(userId);
    return row && { id: row.id, publicKey: new Uint8Array(row.public_key) };
  }

  /**
   * Confirms the key a challenge was sealed to, inside the caller's
   * transaction; false when that key has been replaced since.
   */
  confirm(tx: EntityManager, publicKeyId: string): Promise<'confirmed' | 'already-confirmed' | 'replaced'> {
    return this.keys.confirm(tx, publicKeyId);
  }

  /** Takes the user's key lock in the caller's transaction (see PublicKeysRepository.lockKeysOf). */
  lockKeysOf(tx: EntityManager, userId: string): Promise<void> {
    return this.keys.lockKeysOf(tx, userId);
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
