import { IsBase64Url } from '@app/contracts';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  Equals,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsWellFormedUnicode } from '../../auth/dto/credentials.dto.js';

/** At most this many envelopes in one version: 256 members. */
export const MAX_SECRET_MEMBERS = 256;
export const SECRET_ROLES = ['owner', 'member'] as const;
export type SecretRole = (typeof SECRET_ROLES)[number];

const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/** A version's secret sealed to one member (PROTOCOL.md 12), by the caller. */
export class EnvelopeDto {
  /**
   * The member it is sealed to.
   * @example 9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b
   */
  @Transform(lowerCase)
  @IsUUID()
  userId: string;

  /**
   * Lowercase hex SHA-256 of the public key it is sealed to: must be the member's confirmed key.
   * @example 4f0fa8d2a1a0e4b84c7dfb7d1e7a8e7e86c2ab6e1b0c9a2ff0cc1e5b4e9b1f3a
   */
  @Matches(/^[0-9a-f]{64}$/, { message: 'keyFingerprint must be 64 lowercase hex characters' })
  keyFingerprint: string;

  /**
   * HPKE's encapsulated key (32 bytes, base64url).
   * @example W5gVoLWmvjUcUO1A7g4C_z_br5aKBM-oXKf-uE8WRkw
   */
  @IsBase64Url({ bytes: 32 })
  enc: string;

  /**
   * The sealed 32-byte secret with its tag (48 bytes, base64url).
   * @example ia1NizgoHj8WBzpWQAxuXE3OZgjku_gR4pBzrY5T5-HlcAWPmToKLwUTHBlFA8aE
   */
  @IsBase64Url({ bytes: 48 })
  ciphertext: string;
}

class VersionEnvelopes {
  /**
   * The version's commitment (32 bytes, base64url), computed by the client from the secret.
   * @example RPrbgT4SYvv7pHnXd_4hFyuGl5Q6heIYpx47B_YamZo
   */
  @IsBase64Url({ bytes: 32 })
  commitment: string;

  /**
   * One envelope per member, the caller's included; at most 256.
   * @example [{"userId":"9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b","keyFingerprint":"4f0fa8d2a1a0e4b84c7dfb7d1e7a8e7e86c2ab6e1b0c9a2ff0cc1e5b4e9b1f3a","enc":"W5gVoLWmvjUcUO1A7g4C_z_br5aKBM-oXKf-uE8WRkw","ciphertext":"ia1NizgoHj8WBzpWQAxuXE3OZgjku_gR4pBzrY5T5-HlcAWPmToKLwUTHBlFA8aE"}]
   */
  @ApiProperty({ type: [EnvelopeDto], minItems: 1, maxItems: MAX_SECRET_MEMBERS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SECRET_MEMBERS)
  @ValidateNested({ each: true })
  @Type(() => EnvelopeDto)
  envelopes: EnvelopeDto[];
}

export class CreateSecretRequestDto extends VersionEnvelopes {
  /**
   * Drawn by the client (a UUIDv4): the envelopes are sealed to it before the server sees it.
   * @example 0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e
   */
  @Transform(lowerCase)
  @IsUUID('4')
  secretId: string;

  /** A name for people; the server stores it as given (it is not secret). */
  @ApiProperty({ example: 'Facility north' })
  @IsString()
  @Length(1, 200)
  @IsWellFormedUnicode()
  name: string;

  /**
   * Always 1: a secret starts at its first version.
   * @example 1
   */
  @ApiProperty({ enum: [1] })
  @Equals(1, { message: 'version must be 1 for a new secret' })
  version: number;
}

/** The next version of a secret, for every member: a rotation, or a removal with its rotation. */
export class NewSecretVersionRequestDto extends VersionEnvelopes {
  /**
   * The new version: the current version + 1.
   * @example 2
   */
  @IsInt()
  @Min(2)
  @Max(2_147_483_646)
  version: number;
}

export class AddSecretMemberRequestDto extends EnvelopeDto {
  /**
   * The current version, whose secret the envelope holds.
   * @example 1
   */
  @IsInt()
  @Min(1)
  @Max(2_147_483_646)
  version: number;
}

export class SetSecretMemberRoleRequestDto {
  /** @example owner */
  @IsIn(SECRET_ROLES)
  role: SecretRole;
}

export class ListSecretsQueryDto {
  /**
   * The previous page's `nextCursor`; omit for the first page.
   * @example 0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e
   */
  @IsOptional()
  @Transform(lowerCase)
  @IsUUID()
  cursor?: string;
}
