import { ApiBase64Url } from '@app/contracts';

export class AccessTokenResponseDto {
  /**
   * One-time token for one keyserver request: 32 random bytes, base64url.
   * @example W2it920pI6oMkh43kPBxoP2h44tDFy8Zll2B9SpI2Ss
   */
  @ApiBase64Url({ bytes: 32 })
  accessToken: string;
  /**
   * ISO 8601 UTC, 60 seconds after issue.
   * @example 2026-11-25T14:01:00.000Z
   */
  expiresAt: string;
}
