import { IsUUID } from 'class-validator';
import { IsBase64Url } from './base64url.js';

/** What the keyserver asks the server: may this token act for this user? */
export class ValidateUserRequestDto {
  /** The user the keyserver request is for (from its path). */
  @IsUUID()
  userId: string;

  /** The one-time access token the client presented; spent by this call. */
  @IsBase64Url({ bytes: 32 })
  accessToken: string;
}

export class ValidateUserResponseDto {
  /** Always true: any other answer is a 403. */
  valid: true;
  userId: string;
  /** Whether the user's public key is confirmed: the keyserver then keeps the blob it holds. */
  keyConfirmed: boolean;
}
