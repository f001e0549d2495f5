import { IsBase64Url } from '@app/contracts';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsWellFormedUnicode } from '../../auth/dto/credentials.dto.js';

export class CommitKeyChangeRequestDto {
  /**
   * The staged change's id, as the keyserver answered it (stageKeyChange).
   * @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsUUID()
  keyChangeId: string;

  /**
   * The version the change was staged on: must be the key's current keyVersion.
   * @example 1
   */
  @IsInt()
  @Min(1)
  @Max(2_147_483_646)
  baseVersion: number;

  /**
   * The keyserver's receipt for the staged change (32 bytes, base64url): proof that it holds the change.
   * @example 3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
   */
  @IsBase64Url({ bytes: 32 })
  receipt: string;

  /**
   * The login secret of the current password (as login's `password` carries it).
   * @example 05D9YssfVA4QazwL_ibpN5xLlAQFCMsZhnrQ1kpifTk
   */
  @IsString()
  @Length(8, 1024)
  @IsWellFormedUnicode()
  currentPassword: string;

  /**
   * The login secret of the new password, for a password change; absent for a KDF upgrade under the same password.
   * @example kQ3Lw7u9n2mV0bR8xZt4yE1cJ6hP5sDfGaN_oUiWqYe
   */
  @IsOptional()
  @IsString()
  @Length(8, 1024)
  @IsWellFormedUnicode()
  newPassword?: string;
}

export class CommittedKeyChangeResponseDto {
  /** @example 0b6f5a0e-2f55-4d8c-9d3e-7f4e1c2a9b10 */
  keyChangeId: string;
  /**
   * The key's version now: baseVersion + 1.
   * @example 2
   */
  keyVersion: number;
  /**
   * ISO 8601 UTC.
   * @example 2026-12-02T05:00:00.000Z
   */
  committedAt: string;
}
