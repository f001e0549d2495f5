import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsUUID } from 'class-validator';
import { IsBase64Url } from './base64url.js';

/** What the keyserver asks the server: may this token act for this user? */
export class ValidateUserRequestDto {
  /**
   * The user the keyserver request is for (from its path); compared in lower case.
   * @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  userId: string;

  /**
   * The one-time access token the client presented (32 bytes, base64url); spent by this call.
   * @example W2it920pI6oMkh43kPBxoP2h44tDFy8Zll2B9SpI2Ss
   */
  @IsBase64Url({ bytes: 32 })
  accessToken: string;

  /**
   * A staged key change the keyserver is asked to abandon: when the token's session is secured and the change is not
   * committed, the server records it as abandoned, so it can never be committed (abandonKeyChange).
   * @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10
   */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  abandonKeyChangeId?: string;
}

/** A key change the server has committed: the keyserver makes it current when it holds it staged on that version. */
export class CommittedKeyChangeDto {
  /** @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10 */
  keyChangeId: string;
  /** @example 1 */
  baseVersion: number;
}

export class ValidateUserResponseDto {
  /**
   * Always true: any other answer is a 403.
   * @example true
   */
  valid: true;
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /**
   * Whether the user's public key is confirmed: the keyserver then keeps the blob it holds.
   * @example false
   */
  keyConfirmed: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[0-9a-f]{64}$',
    description:
      'The fingerprint of the user’s current public key, pending or confirmed (null when there is none): ' +
      'the keyserver stores only a blob bound to it.',
    example: 'aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c',
  })
  publicKeyFingerprint: string | null;

  /**
   * Whether the session that minted the token is secured (has answered a session challenge, so holds the
   * private key): the keyserver lets only such a session replace a confirmed key's stored blob.
   * @example false
   */
  sessionSecured: boolean;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    description:
      'The confirmed key’s version: null while the key is pending, 1 at confirmation, +1 per committed key change.',
    example: 1,
  })
  keyVersion: number | null;

  @ApiProperty({
    type: CommittedKeyChangeDto,
    nullable: true,
    description: 'The last key change the server committed (the one that made keyVersion), or null when there is none.',
    example: { keyChangeId: '0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10', baseVersion: 1 },
  })
  committedKeyChange: CommittedKeyChangeDto | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description:
      'The change named by abandonKeyChangeId when it is now recorded as abandoned (it can never be committed); ' +
      'null when none was named, the session is not secured, or the change is committed.',
    example: null,
  })
  abandonedKeyChangeId: string | null;
}
