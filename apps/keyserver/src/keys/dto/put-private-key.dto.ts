import { IsBase64Url, KdfParamsDto } from '@app/contracts';
import { PRIVATE_KEY_BLOB_LIMITS } from '@app/crypto';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';

export class PutPrivateKeyRequestDto {
  /**
   * AES-256-GCM ciphertext of the PKCS#8 private key, followed by the tag; base64url.
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
   * The Argon2id salt, base64url.
   * @example tSXo5r8iizC52W5bqBSVjQ
   */
  @IsBase64Url({ minBytes: PRIVATE_KEY_BLOB_LIMITS.salt.min, maxBytes: PRIVATE_KEY_BLOB_LIMITS.salt.max })
  salt: string;

  @IsObject()
  @ValidateNested()
  @Type(() => KdfParamsDto)
  kdf: KdfParamsDto;
}
