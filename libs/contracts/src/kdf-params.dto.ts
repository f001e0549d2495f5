import { KDF_LIMITS } from '@app/crypto';
import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsInt, Max, Min } from 'class-validator';

const integer = (name: keyof typeof KDF_LIMITS, example: number, description: string) =>
  ApiProperty({ type: 'integer', minimum: KDF_LIMITS[name].min, maximum: KDF_LIMITS[name].max, example, description });

/** How the key-encryption key was derived from the password (Argon2id, RFC 9106, version 0x13). */
export class KdfParamsDto {
  @ApiProperty({ enum: ['argon2id'], example: 'argon2id' })
  @Equals('argon2id', { message: 'kdf.algorithm must be "argon2id"' })
  algorithm: 'argon2id';

  @integer('memoryKiB', 65536, 'Memory in KiB (m)')
  @IsInt()
  @Min(KDF_LIMITS.memoryKiB.min)
  @Max(KDF_LIMITS.memoryKiB.max)
  memoryKiB: number;

  @integer('iterations', 3, 'Passes (t)')
  @IsInt()
  @Min(KDF_LIMITS.iterations.min)
  @Max(KDF_LIMITS.iterations.max)
  iterations: number;

  @integer('parallelism', 1, 'Lanes (p)')
  @IsInt()
  @Min(KDF_LIMITS.parallelism.min)
  @Max(KDF_LIMITS.parallelism.max)
  parallelism: number;
}

/** An Argon2id cost (the algorithm being the protocol's one): what a login answers as floor and recommendation. */
export class KdfCostDto {
  @ApiProperty({ type: 'integer', example: 65536, description: 'Memory in KiB (m)' })
  memoryKiB: number;

  @ApiProperty({ type: 'integer', example: 3, description: 'Passes (t)' })
  iterations: number;

  @ApiProperty({ type: 'integer', example: 1, description: 'Lanes (p)' })
  parallelism: number;
}
