import { ApiBase64Url } from '@app/contracts';
import { KEY_ALGORITHM, PUBLIC_KEY_BYTES } from '@app/crypto';
import { ApiProperty } from '@nestjs/swagger';

export class PublicKeyResponseDto {
  @ApiProperty({ enum: [KEY_ALGORITHM], example: KEY_ALGORITHM })
  algorithm: typeof KEY_ALGORITHM;
  /**
   * 32-byte raw X25519 public key, base64url.
   * @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw
   */
  @ApiBase64Url({ bytes: PUBLIC_KEY_BYTES })
  publicKey: string;
  /**
   * Lowercase hex SHA-256 of the raw public key.
   * @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c
   */
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' })
  fingerprint: string;
  /**
   * False until a session challenge sealed to this key is answered.
   * @example false
   */
  confirmed: boolean;
}

export class UserPublicKeyResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  @ApiProperty({ enum: [KEY_ALGORITHM], example: KEY_ALGORITHM })
  algorithm: typeof KEY_ALGORITHM;
  /**
   * 32-byte raw X25519 public key, base64url.
   * @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw
   */
  @ApiBase64Url({ bytes: PUBLIC_KEY_BYTES })
  publicKey: string;
  /**
   * Lowercase hex SHA-256 of the raw public key.
   * @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c
   */
  @ApiProperty({ pattern: '^[0-9a-f]{64}$' })
  fingerprint: string;
}
