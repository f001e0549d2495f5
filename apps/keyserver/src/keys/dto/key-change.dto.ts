import { ApiBase64Url, KdfParamsDto } from '@app/contracts';
import { IsInt, Max, Min } from 'class-validator';
import { PutPrivateKeyRequestDto } from './put-private-key.dto.js';

/** The largest version a key can reach: a Postgres integer. */
const MAX_VERSION = 2_147_483_647;

/** The same private key wrapped anew (new password or stronger KDF), staged on the version it replaces. */
export class StageKeyChangeRequestDto extends PutPrivateKeyRequestDto {
  /**
   * The version of the stored blob this change replaces: the key's current version (409 otherwise).
   * @example 1
   */
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION - 1)
  baseVersion: number;
}

export class StagedKeyChangeResponseDto {
  /**
   * The staged change's id, drawn by the keyserver: commit it on the server (commitKeyChange).
   * @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10
   */
  keyChangeId: string;
  /** @example 1 */
  baseVersion: number;
  /**
   * ISO 8601 UTC.
   * @example 2026-12-02T05:00:00.000Z
   */
  createdAt: string;
  /**
   * The keyserver's receipt for this staged change (HMAC-SHA256 under a key both services derive from the
   * keyserver API key, over userId, keyChangeId and baseVersion; PROTOCOL.md), base64url: pass it to commitKeyChange.
   * @example 3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
   */
  @ApiBase64Url({ bytes: 32 })
  receipt: string;
}

/** A staged change as GET returns it, so a client that stopped can finish or abandon it. */
export class PendingKeyChangeDto {
  /** @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10 */
  keyChangeId: string;
  /** @example 1 */
  baseVersion: number;
  /**
   * ISO 8601 UTC.
   * @example 2026-12-02T05:00:00.000Z
   */
  createdAt: string;
  /**
   * AES-256-GCM ciphertext of the PKCS#8 private key and its tag, wrapped under the new password, base64url.
   * @example otVfeDKQ4J1WfzUB2J28KcGmMBUe3Zw-KO5c1M8I-MTIw3uHcYgRzLpbizEIiXMoti8A49ESnULs19biHCR6oA
   */
  encryptedPrivateKey: string;
  /** @example Z69nxX-NOo89Msm3 */
  iv: string;
  /** @example tSXo5r8iizC52W5bqBSVjQ */
  salt: string;
  kdf: KdfParamsDto;
  /** @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c */
  publicKeyFingerprint: string;
}

export class AppliedKeyChangeResponseDto {
  /**
   * The key's current version, once the change is applied (now or earlier).
   * @example 2
   */
  version: number;
}
