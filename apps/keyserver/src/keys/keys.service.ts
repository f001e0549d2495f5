import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ValidateUserResponseDto } from '@app/contracts';
import type { DataSource } from 'typeorm';
import type { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import type { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';

interface BlobRow {
  encrypted_private_key: Buffer;
  iv: Buffer;
  salt: Buffer;
  kdf_algorithm: 'argon2id';
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  updated_at: Date;
}

@Injectable()
export class KeysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores the user's encrypted private key. Until the server reports the
   * public key confirmed, a new blob replaces the old one (key setup can be
   * restarted); after, a stored blob is final until key rotation.
   */
  async putPrivateKey(user: ValidateUserResponseDto, dto: PutPrivateKeyRequestDto): Promise<PutPrivateKeyResponseDto> {
    const onConflict = user.keyConfirmed
      ? 'DO NOTHING'
      : `DO UPDATE SET encrypted_private_key = EXCLUDED.encrypted_private_key, iv = EXCLUDED.iv,
           salt = EXCLUDED.salt, kdf_algorithm = EXCLUDED.kdf_algorithm, kdf_memory_kib = EXCLUDED.kdf_memory_kib,
           kdf_iterations = EXCLUDED.kdf_iterations, kdf_parallelism = EXCLUDED.kdf_parallelism,
           created_at = now(), updated_at = now()`;
    const [row] = await this.db.query<{ created_at: Date }[]>(
      `INSERT INTO encrypted_private_keys
         (user_id, encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id) ${onConflict}
       RETURNING created_at`,
      [
        user.userId,
        Buffer.from(dto.encryptedPrivateKey, 'base64url'),
        Buffer.from(dto.iv, 'base64url'),
        Buffer.from(dto.salt, 'base64url'),
        dto.kdf.algorithm,
        dto.kdf.memoryKiB,
        dto.kdf.iterations,
        dto.kdf.parallelism,
      ],
    );
    if (!row) {
      throw new ConflictException('An encrypted private key is stored and its public key is confirmed; it cannot be replaced');
    }
    return { userId: user.userId, createdAt: row.created_at.toISOString() };
  }

  async getEncryptedPrivateKey(user: ValidateUserResponseDto): Promise<EncryptedPrivateKeyResponseDto> {
    const [row] = await this.db.query<BlobRow[]>(
      `SELECT encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib, kdf_iterations, kdf_parallelism, updated_at
         FROM encrypted_private_keys WHERE user_id = $1`,
      [user.userId],
    );
    if (!row) throw new NotFoundException('No encrypted private key is stored for this user');
    return {
      userId: user.userId,
      encryptedPrivateKey: row.encrypted_private_key.toString('base64url'),
      iv: row.iv.toString('base64url'),
      salt: row.salt.toString('base64url'),
      kdf: {
        algorithm: row.kdf_algorithm,
        memoryKiB: row.kdf_memory_kib,
        iterations: row.kdf_iterations,
        parallelism: row.kdf_parallelism,
      },
      updatedAt: row.updated_at.toISOString(),
    };
  }
}
