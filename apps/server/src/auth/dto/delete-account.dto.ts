import { IsString, Length } from 'class-validator';
import { IsWellFormedUnicode } from './credentials.dto.js';

export class DeleteAccountRequestDto {
  /**
   * The login secret of the current password (as login's `password` carries it), asked again before anything is deleted.
   * @example 05D9YssfVA4QazwL_ibpN5xLlAQFCMsZhnrQ1kpifTk
   */
  @IsString()
  @Length(8, 1024)
  @IsWellFormedUnicode()
  currentPassword: string;
}
