import { ApiBase64Url } from '@app/contracts';

export class SessionChallengeResponseDto {
  /**
   * Also the HPKE additional data the token was sealed with.
   * @example 8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21
   */
  challengeId: string;
  /**
   * The HPKE encapsulated key (the sender's ephemeral X25519 public key), 32 bytes, base64url.
   * @example LJLa3267tuTISIT-NGEDs64A-j3Z380hDl5jOIiXuxk
   */
  @ApiBase64Url({ bytes: 32 })
  enc: string;
  /**
   * The sealed 32-byte token followed by the 16-byte tag: 48 bytes, base64url. A separate field from `enc`, never concatenated.
   * @example Jg8A7eJ26l_-cVo9rJMja71LWWSpwSIVH7mhyc-q8RpaZQ1OPJYL2nCsMV7pwWbz
   */
  @ApiBase64Url({ bytes: 48 })
  ciphertext: string;
  /**
   * ISO 8601 UTC, 60 seconds after issue.
   * @example 2026-11-25T14:01:00.000Z
   */
  expiresAt: string;
}
