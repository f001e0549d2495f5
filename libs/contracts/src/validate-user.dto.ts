import { IsUUID } from 'class-validator';
import { IsBase64Url } from './base64url.js';

/** What the keyserver asks the server: may this token act for this user? */
export class ValidateUserRequestDto {
  /**
   * The user the keyserver request is for (from its path).
   * @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a
   */
  @IsUUID()
  userId: string;

  /**
   * The one-time access token the client presented; spent by this call.
   * @example W2it920pI6oMkh43kPBxoP2h44tDFy8Zll2B9SpI2Ss
   */
  @IsBase64Url({ bytes: 32 })
  accessToken: string;
}

export class ValidateUserResponseDto {
  /**
   * Always true: any other answer is a 403.
   * @example true
   */
  valid: true;
  /** @example 3f1c6a52-8f57-4a4e-9a43-6d1c0f0e9b7a */
  userId: string;
  /**
   * Whether the user's public key is confirmed: the keyserver then keeps the blob it holds.
   * @example false
   */
  keyConfirmed: boolean;
}
