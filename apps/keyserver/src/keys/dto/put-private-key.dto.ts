import { IsBase64Url, KdfParamsDto } from '@app/contracts';
import { PRIVATE_KEY_BLOB_LIMITS } from '@app/crypto';
import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';

export class PutPrivateKeyRequestDto {
  /**
   * AES-256-GCM ciphertext of the PKCS#8 private key, followed by the 16-byte tag; 17 to 4096 bytes
   * (64 for the 48-byte PKCS#8 form), base64url.
   * @example otVfeDKQ4J1WfzUB2J28KcGmMBUe3Zw-KO5c1M8I-MTIw3uHcYgRzLpbizEIiXMoti8A49ESnULs19biHCR6oA
   */
  @IsBase64Url({
    minBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.min,
    maxBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.max,
  })
  encryptedPrivateKey: string;

  /**
   * The 12-byte AES-GCM nonce, base64url.
   * @example Z69nxX-NOo89Msm3
   */
  @IsBase64Url({ bytes: PRIVATE_KEY_BLOB_LIMITS.iv.min })
  iv: string;

  /**
   * The Argon2id salt, 16 to 64 bytes, base64url.
   * @example tSXo5r8iizC52W5bqBSVjQ
   */
  @IsBase64Url({ minBytes: PRIVATE_KEY_BLOB_LIMITS.salt.min, maxBytes: PRIVATE_KEY_BLOB_LIMITS.salt.max })
  salt: string;

  @IsObject()
  @ValidateNested()
  @Type(() => KdfParamsDto)
  kdf: KdfParamsDto;

  /**
   * The fingerprint (lowercase hex SHA-256 of the raw public key) of the public key this private key belongs to:
   * it must be the user's current public key on the server.
   * @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c
   */
  @Matches(/^[0-9a-f]{64}$/, {
    message: 'publicKeyFingerprint must be 64 lowercase hex characters (SHA-256 of the raw public key)',
  })
  publicKeyFingerprint: string;
}
