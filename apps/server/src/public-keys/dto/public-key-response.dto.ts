export class PublicKeyResponseDto {
  /** @example HPKE-X25519-SHA256-AES256GCM */
  algorithm: string;
  /** 32-byte raw X25519 public key, base64url. */
  publicKey: string;
  /** Lowercase hex SHA-256 of the raw public key. */
  fingerprint: string;
  /** False until a session challenge sealed to this key is answered. */
  confirmed: boolean;
}

export class UserPublicKeyResponseDto {
  userId: string;
  /** @example HPKE-X25519-SHA256-AES256GCM */
  algorithm: string;
  publicKey: string;
  fingerprint: string;
}
