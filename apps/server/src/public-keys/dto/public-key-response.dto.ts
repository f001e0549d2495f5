export class PublicKeyResponseDto {
  /** @example HPKE-X25519-SHA256-AES256GCM */
  algorithm: string;
  /**
   * 32-byte raw X25519 public key, base64url.
   * @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw
   */
  publicKey: string;
  /**
   * Lowercase hex SHA-256 of the raw public key.
   * @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c
   */
  fingerprint: string;
  /**
   * False until a session challenge sealed to this key is answered.
   * @example false
   */
  confirmed: boolean;
}

export class UserPublicKeyResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /** @example HPKE-X25519-SHA256-AES256GCM */
  algorithm: string;
  /** @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw */
  publicKey: string;
  /** @example aa8ff2403ed6e3bfa72e07c6d5958b2f7ba62f6dba2d2d9930d0eec75ab3b16c */
  fingerprint: string;
}
