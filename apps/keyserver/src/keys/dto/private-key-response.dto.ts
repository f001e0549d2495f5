import { KdfParamsDto } from '@app/contracts';

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
  /** @example otVfeDKQ4J1WfzUB2J28KcGmMBUe3Zw-KO5c1M8I-MTIw3uHcYgRzLpbizEIiXMoti8A49ESnULs19biHCR6oA */
  encryptedPrivateKey: string;
  /** @example Z69nxX-NOo89Msm3 */
  iv: string;
  /** @example tSXo5r8iizC52W5bqBSVjQ */
  salt: string;
  kdf: KdfParamsDto;
  /**
   * ISO 8601 UTC.
   * @example 2026-11-25T14:00:00.000Z
   */
  updatedAt: string;
}
