import { ApiProperty } from '@nestjs/swagger';

export class UserResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /** @example alice@example.com */
  email: string;
  /**
   * Whether the user has a confirmed public key.
   * @example true
   */
  hasKeyPair: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[0-9a-f]{64}$',
    description:
      'Lowercase hex SHA-256 of the user’s confirmed public key (null when there is none): ' +
      'a new device checks the private key it unwraps against it before answering a challenge.',
    example: 'aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c',
  })
  publicKeyFingerprint: string | null;
  /**
   * Whether this session has answered a session challenge.
   * @example true
   */
  secured: boolean;
}
