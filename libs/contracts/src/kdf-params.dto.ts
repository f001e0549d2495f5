import { KDF_LIMITS } from '@app/crypto';
import { Equals, IsInt, Max, Min } from 'class-validator';

/** How the key-encryption key was derived from the password (Argon2id). */
export class KdfParamsDto {
  /** @example argon2id */
  @Equals('argon2id', { message: 'kdf.algorithm must be "argon2id"' })
  algorithm: 'argon2id';

  /** @example 65536 */
  @IsInt()
  @Min(KDF_LIMITS.memoryKiB.min)
  @Max(KDF_LIMITS.memoryKiB.max)
  memoryKiB: number;

  /** @example 3 */
  @IsInt()
  @Min(KDF_LIMITS.iterations.min)
  @Max(KDF_LIMITS.iterations.max)
  iterations: number;

  /** @example 1 */
  @IsInt()
  @Min(KDF_LIMITS.parallelism.min)
  @Max(KDF_LIMITS.parallelism.max)
  parallelism: number;
}
