import { IsBase64Url } from '@app/contracts';
import { IsUUID } from 'class-validator';

export class SubmitSessionChallengeRequestDto {
  /** @example 8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21 */
  @IsUUID()
  challengeId: string;

  /**
   * The opened 32-byte token, base64url.
   * @example rhparoMWSiLKBE4TWt1mmBiWyZpstZm9xZwJlQm_G-k
   */
  @IsBase64Url({ bytes: 32 })
  token: string;
}

export class SubmitSessionChallengeResponseDto {
  /** @example true */
  secured: true;
}
