import { IsBase64Url, KdfParamsDto } from '@app/contracts';
import { PRIVATE_KEY_BLOB_LIMITS } from '@app/crypto';
import { Type } from 'class-transformer';
import { IsObject, ValidateNested } from 'class-validator';

export class PutPrivateKeyRequestDto {
  /** AES-256-GCM ciphertext of the PKCS#8 private key, followed by the tag; base64url. */
  @IsBase64Url({
    minBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.min,
    maxBytes: PRIVATE_KEY_BLOB_LIMITS.encryptedPrivateKey.max,
  })
  encryptedPrivateKey: string;

  /** The 12-byte AES-GCM nonce, base64url. */
  @IsBase64Url({ bytes: PRIVATE_KEY_BLOB_LIMITS.iv.min })
  iv: string;

  /** The Argon2id salt, base64url. */
  @IsBase64Url({ minBytes: PRIVATE_KEY_BLOB_LIMITS.salt.min, maxBytes: PRIVATE_KEY_BLOB_LIMITS.salt.max })
  salt: string;

  @IsObject()
  @ValidateNested()
  @Type(() => KdfParamsDto)
  kdf: KdfParamsDto;
}
