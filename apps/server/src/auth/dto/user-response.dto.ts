export class UserResponseDto {
  userId: string;
  email: string;
  /** Whether the user has a confirmed public key. */
  hasKeyPair: boolean;
  /** Whether this session has answered a session challenge. */
  secured: boolean;
}
