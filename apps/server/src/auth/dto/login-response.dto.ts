import { ApiBase64Url, KdfCostDto } from '@app/contracts';

export class LoginResponseDto {
  /**
   * Bearer token for this session: 32 random bytes, base64url.
   * @example ielBJ9ZXNqhYCKIRcU9qDMGGTqNBoeMU4MXkymW8s7A
   */
  @ApiBase64Url({ bytes: 32 })
  sessionToken: string;
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /**
   * ISO 8601 UTC.
   * @example 2026-11-26T02:00:00.000Z
   */
  expiresAt: string;
  /**
   * Whether the user has a confirmed public key (so a private key to fetch).
   * @example true
   */
  hasKeyPair: boolean;
  /**
   * Keep it with the session and send it as `deviceToken` in this device's
   * next logins (replacing the one sent, if any): 32 random bytes, base64url, good for 90 days.
   * @example 9oQqjCn8bA4l0zZbI1yqZk3aQm2jq0Jd1cS7rR0mX2w
   */
  @ApiBase64Url({ bytes: 32 })
  deviceToken: string;
  /**
   * The weakest Argon2id cost a blob may be wrapped under (what the keyserver accepts).
   * @example {"memoryKiB":19456,"iterations":2,"parallelism":1}
   */
  kdfFloor: KdfCostDto;
  /**
   * The cost new blobs are wrapped under; a client whose stored blob is weaker re-wraps it after an unlock.
   * @example {"memoryKiB":65536,"iterations":3,"parallelism":1}
   */
  kdfRecommended: KdfCostDto;
}
