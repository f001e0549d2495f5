import { ApiProperty } from '@nestjs/swagger';
import type { SecretRole } from './secret-requests.dto.js';

export class SecretVersionRefDto {
  /** @example 0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e */
  secretId: string;
  /** @example 1 */
  version: number;
}

export class SecretListItemDto {
  /** @example 0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e */
  secretId: string;
  @ApiProperty({ example: 'Facility north' })
  name: string;
  /**
   * The current version.
   * @example 3
   */
  version: number;
  /** @example owner */
  role: SecretRole;
  /** @example 4 */
  memberCount: number;
  /**
   * A member left since the last rotation: an owner should rotate.
   * @example false
   */
  rotationRequired: boolean;
}

export class SecretsPageDto {
  /**
   * At most 50, by secret id.
   * @example [{"secretId":"0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e","name":"Facility north","version":3,"role":"owner","memberCount":4,"rotationRequired":false}]
   */
  items: SecretListItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `?cursor=` for the next page; null on the last',
    example: '0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e',
  })
  nextCursor: string | null;
}

/** The caller's envelope of a version. */
export class OwnEnvelopeDto {
  /**
   * Who sealed it: open it with this user's public key (pinned on first use).
   * @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a
   */
  senderId: string;
  /** @example W5gVoLWmvjUcUO1A7g4C_z_br5aKBM-oXKf-uE8WRkw */
  enc: string;
  /** @example ia1NizgoHj8WBzpWQAxuXE3OZgjku_gR4pBzrY5T5-HlcAWPmToKLwUTHBlFA8aE */
  ciphertext: string;
}

export class SecretMemberDto {
  /** @example 9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b */
  userId: string;
  /** @example member */
  role: SecretRole;
  /**
   * The key the member's envelope of the current version is sealed to. A client compares it with the
   * fingerprint it computes from the key it fetched; it never trusts this field alone.
   * @example 4f0fa8d2a1a0e4b84c7dfb7d1e7a8e7e86c2ab6e1b0c9a2ff0cc1e5b4e9b1f3a
   */
  keyFingerprint: string;
}

export class SecretVersionResponseDto {
  /** @example 0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e */
  secretId: string;
  /** @example 1 */
  version: number;
  /** @example RPrbgT4SYvv7pHnXd_4hFyuGl5Q6heIYpx47B_YamZo */
  commitment: string;
  envelope: OwnEnvelopeDto;
}

export class SecretResponseDto extends SecretVersionResponseDto {
  @ApiProperty({ example: 'Facility north' })
  name: string;
  /**
   * Every member, with the key its envelope of the current version is sealed to.
   * @example [{"userId":"9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b","role":"member","keyFingerprint":"4f0fa8d2a1a0e4b84c7dfb7d1e7a8e7e86c2ab6e1b0c9a2ff0cc1e5b4e9b1f3a"}]
   */
  members: SecretMemberDto[];
  /**
   * How many versions there are: the current one is the last.
   * @example 3
   */
  versionCount: number;
  /** @example false */
  rotationRequired: boolean;
}

/**
 * A 409 that names the members involved: `changedUserIds` (a key conflict),
 * or both `missingUserIds` and `extraUserIds` (a coverage conflict), empty
 * lists included.
 */
export class SecretConflictResponseDto {
  /** @example 409 */
  statusCode: number;
  /** @example Conflict */
  error: string;
  @ApiProperty({ example: 'The envelopes do not cover exactly the members' })
  message: string;
  /**
   * A key conflict: the recipients whose key is pending, missing, or not the one their envelope names.
   * @example []
   */
  changedUserIds?: string[];
  /**
   * A coverage conflict (with extraUserIds): members the envelopes leave out.
   * @example ["9c2b7e41-3f5a-4d8c-b1e6-7a0d2c4f6e8b"]
   */
  missingUserIds?: string[];
  /**
   * A coverage conflict (with missingUserIds): envelopes for users who are not (or would no longer be) members.
   * @example []
   */
  extraUserIds?: string[];
}

/** A 409 that names the secrets involved (account deletion). */
export class SecretsHeldConflictResponseDto {
  /** @example 409 */
  statusCode: number;
  /** @example Conflict */
  error: string;
  @ApiProperty({ example: 'This account is the last owner of secrets others still hold' })
  message: string;
  /**
   * The secrets that stand in the way.
   * @example ["0f8e3c1a-5b7d-4e29-8a6c-2d4f6b8a0c1e"]
   */
  secretIds: string[];
}
