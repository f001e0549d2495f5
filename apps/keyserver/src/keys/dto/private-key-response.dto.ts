import { ApiBase64Url, KdfParamsDto } from '@app/contracts';
import { PRIVATE_KEY_BLOB_LIMITS } from '@app/crypto';
import { ApiProperty } from '@nestjs/swagger';
import { PendingKeyChangeDto } from './key-change.dto.js';

export class PutPrivateKeyResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /**
   * ISO 8601 UTC.
   * @example 2026-11-25T14:00:00.000Z
   */
  createdAt: string;
}

export class EncryptedPrivateKeyResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /**
   * AES-256-GCM ciphertext of the PKCS#8 private key, followed by the 16-byte tag; 17 to 4096 bytes
   * (64 for the 48-byte PKCS#8 form), base64url.
   * @example otVfeDKQ4J1WfzUB2J28KcGmMBUe3Zw-KO5c1M8I-MTIw3uHcYgRzLpbizEIiXMoti8A49ESnULs19biHCR6oA
   */
  @ApiBase64Url({
    minBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.min,
    maxBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.max,
  })
  encryptedPrivateKey: string;
  /**
   * The 12-byte AES-GCM nonce, base64url.
   * @example Z69nxX-NOo89Msm3
   */
  @ApiBase64Url({ bytes: PRIVATE_KEY_BLOB_LIMITS.iv.min })
  iv: string;
  /**
   * The Argon2id salt, 16 to 64 bytes, base64url.
   * @example tSXo5r8iizC52W5bqBSVjQ
   */
  @ApiBase64Url({ minBytes: PRIVATE_KEY_BLOB_LIMITS.salt.min, maxBytes: PRIVATE_KEY_BLOB_LIMITS.salt.max })
  salt: string;
  kdf: KdfParamsDto;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^[0-9a-f]{64}$',
    description:
      'The public key this private key belongs to (lowercase hex SHA-256 of the raw key). A client checks the key it ' +
      'unwraps against it. Null only for a blob stored before blobs were bound to keys.',
    example: 'aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c',
  })
  publicKeyFingerprint: string | null;
  /**
   * ISO 8601 UTC.
   * @example 2026-11-25T14:00:00.000Z
   */
  updatedAt: string;
  /**
   * The blob's version: 1 for the first blob (also while the key is pending), +1 per applied key change; the server's keyVersion once confirmed.
   * @example 1
   */
  version: number;

  @ApiProperty({
    type: [PendingKeyChangeDto],
    description:
      'The key changes staged on this key and not yet applied, oldest first, so a client that stopped can finish ' +
      '(commit) or abandon one; each opens with the password it was wrapped under.',
    example: [],
  })
  pendingChanges: PendingKeyChangeDto[];
}
