import { KdfParamsDto } from '@app/contracts';

export class PutPrivateKeyResponseDto {
  userId: string;
  /** ISO 8601 UTC. */
  createdAt: string;
}

export class EncryptedPrivateKeyResponseDto {
  userId: string;
  encryptedPrivateKey: string;
  iv: string;
  salt: string;
  kdf: KdfParamsDto;
  /** ISO 8601 UTC. */
  updatedAt: string;
}
