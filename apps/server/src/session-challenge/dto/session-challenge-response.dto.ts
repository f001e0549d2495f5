export class SessionChallengeResponseDto {
  /** Also the HPKE additional data the token was sealed with. */
  challengeId: string;
  /** HPKE encapsulated key, base64url. */
  enc: string;
  /** The sealed 32-byte token (with its tag), base64url. */
  ciphertext: string;
  /** ISO 8601 UTC, 60 seconds after issue. */
  expiresAt: string;
}
