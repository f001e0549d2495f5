export class UserResponseDto {
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /** @example alice@example.com */
  email: string;
  /**
   * Whether the user has a confirmed public key.
   * @example true
   */
  hasKeyPair: boolean;
  /**
   * Whether this session has answered a session challenge.
   * @example true
   */
  secured: boolean;
}
