import { IsBase64Url } from '@app/contracts';
import { IsUUID } from 'class-validator';

export class SubmitSessionChallengeRequestDto {
  @IsUUID()
  challengeId: string;

  /** The opened 32-byte token, base64url. */
  @IsBase64Url({ bytes: 32 })
  token: string;
}

export class SubmitSessionChallengeResponseDto {
  secured: true;
}
