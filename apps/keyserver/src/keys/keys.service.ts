import { ConflictException, ForbiddenException, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { base64UrlByteLength, type ValidateUserResponseDto } from '@app/contracts';
import type { DataSource } from 'typeorm';
import type { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import type { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';
import { ServerClient } from './server-client.js';

interface BlobRow {
  encrypted_private_key: Buffer;
  iv: Buffer;
  salt: Buffer;
  kdf_algorithm: 'argon2id';
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  public_key_fingerprint: string | null;
  updated_at: Date;
}

/** An access token the server could have issued is 32 bytes. */
const ACCESS_TOKEN_BYTES = 32;

@Injectable()
export class KeysService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly server: ServerClient,
  ) {}

  /**
   * Stores the user's encrypted private key, bound to the public key it
   * belongs to, which must be the user's current one. The first blob stored
   * for a key is final (the two-phase key change replaces it), so a stolen
   * session cannot overwrite it; a blob of another key is replaced (setup
   * started again). Once the key is confirmed, only a secured session, which
   * proves it holds the confirmed private key, may store: the repair path for
   * an account left holding another key's blob.
   */
  async putPrivateKey(userId: string, accessToken: string, dto: PutPrivateKeyRequestDto): Promise<PutPrivateKeyResponseDto> {
    const user = await this.redeem(userId, accessToken);
    if (user.publicKeyFingerprint === null) {
      throw new ConflictException('You have no public key on the server: put the public key before its private key');
    }
    if (dto.publicKeyFingerprint !== user.publicKeyFingerprint) {
      throw new ConflictException(
        'publicKeyFingerprint is not your current public key: the public key was replaced since (another key setup?)',
      );
    }
    if (user.keyConfirmed && !user.sessionSecured) {
      throw new ConflictException('Your public key is confirmed: only a secured session (one that answered a session challenge) may store its private key');
    }
    const [row] = await this.db.query<{ created_at: Date }[]>(
      `INSERT INTO encrypted_private_keys AS stored
         (user_id, encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism,
          public_key_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (user_id) DO UPDATE SET encrypted_private_key = EXCLUDED.encrypted_private_key, iv = EXCLUDED.iv,
           salt = EXCLUDED.salt, kdf_algorithm = EXCLUDED.kdf_algorithm, kdf_memory_kib = EXCLUDED.kdf_memory_kib,
           kdf_iterations = EXCLUDED.kdf_iterations, kdf_parallelism = EXCLUDED.kdf_parallelism,
           public_key_fingerprint = EXCLUDED.public_key_fingerprint, created_at = now(), updated_at = now()
         WHERE stored.public_key_fingerprint IS DISTINCT FROM EXCLUDED.public_key_fingerprint
       RETURNING created_at`,
      [
        userId,
        Buffer.from(dto.encryptedPrivateKey, 'base64url'),
        Buffer.from(dto.iv, 'base64url'),
        Buffer.from(dto.salt, 'base64url'),
        dto.kdf.algorithm,
        dto.kdf.memoryKiB,
        dto.kdf.iterations,
        dto.kdf.parallelism,
        dto.publicKeyFingerprint,
      ],
    );
    if (!row) throw new ConflictException('A private key for this public key is stored already; it cannot be replaced');
    return { userId, createdAt: row.created_at.toISOString() };
  }

  async getEncryptedPrivateKey(userId: string, accessToken: string): Promise<EncryptedPrivateKeyResponseDto> {
    await this.redeem(userId, accessToken);
    const [row] = await this.db.query<BlobRow[]>(
      `SELECT encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism,
              public_key_fingerprint, updated_at
         FROM encrypted_private_keys WHERE user_id = $1`,
      [userId],
    );
    if (!row) throw new NotFoundException('No encrypted private key is stored for this user');
    return {
      userId,
      encryptedPrivateKey: row.encrypted_private_key.toString('base64url'),
      iv: row.iv.toString('base64url'),
      salt: row.salt.toString('base64url'),
      kdf: {
        algorithm: row.kdf_algorithm,
        memoryKiB: row.kdf_memory_kib,
        iterations: row.kdf_iterations,
        parallelism: row.kdf_parallelism,
      },
      publicKeyFingerprint: row.public_key_fingerprint,
      updatedAt: row.updated_at.toISOString(),
    };
  }

  /**
   * Spends the one-time access token with the server, which answers for whom
   * it is good and the state of that user's key. Called only once the request
   * is known to be well-formed, so a malformed request costs no token.
   */
  private async redeem(userId: string, accessToken: string): Promise<ValidateUserResponseDto> {
    // Not a token the server could have issued: refused without a round trip.
    if (base64UrlByteLength(accessToken) !== ACCESS_TOKEN_BYTES) throw rejected();
    const validation = await this.server.validateUser({ userId, accessToken });
    if (validation.outcome === 'unavailable') {
      throw new ServiceUnavailableException('The server could not validate the access token; try again shortly');
    }
    if (validation.outcome === 'rejected') throw rejected();
    return validation.user;
  }
}

function rejected(): ForbiddenException {
  return new ForbiddenException('The access token was rejected: unknown, expired, already used, or for another user');
}
