import { IsBase64Url, normalizeEmail } from '@app/contracts';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength, ValidateBy } from 'class-validator';

/** A lone surrogate would be hashed as U+FFFD, colliding with other passwords. */
export const IsWellFormedUnicode = () =>
  ValidateBy({
    name: 'isWellFormedUnicode',
    validator: {
      validate: (value) => typeof value === 'string' && value.isWellFormed(),
      defaultMessage: (args) => `${args?.property} must be well-formed Unicode (no lone surrogates)`,
    },
  });

/**
 * Controls, bidi overrides, zero-width and line separators could make one
 * address look like another (a custom rule: OpenAPI patterns cannot say \p{...}).
 */
const HasNoInvisibleCharacters = () =>
  ValidateBy({
    name: 'hasNoInvisibleCharacters',
    validator: {
      validate: (value) => typeof value === 'string' && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(value),
      defaultMessage: (args) => `${args?.property} must not contain control or invisible characters`,
    },
  });

/** What `register` takes; `login` takes the same and a device token. */
export class CredentialsDto {
  /**
   * Trimmed and lower-cased (Unicode default case mapping) before it is stored or compared.
   * @example alice@example.com
   */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value))
  @IsEmail({}, { message: 'email must be a well-formed email address' })
  @HasNoInvisibleCharacters()
  @MaxLength(254)
  email: string;

  /**
   * The login secret the client derived from the password (the reference
   * client sends `deriveLoginSecret(email, password)`, 32 bytes in base64url: PROTOCOL.md), never the password.
   * @example 05D9YssfVA4QazwL_ibpN5xLlAQFCMsZhnrQ1kpifTk
   */
  @IsString()
  @Length(8, 1024)
  @IsWellFormedUnicode()
  password: string;
}

export class LoginRequestDto extends CredentialsDto {
  /**
   * The token this device got at its last successful login with this email.
   * With it, failed logins count only against the device, so a stranger
   * guessing this email's password cannot lock the device out. An unknown,
   * expired or other email's token is ignored (as if absent).
   * @example 9oQqjCn8bA4l0zZbI1yqZk3aQm2jq0Jd1cS7rR0mX2w
   */
  @IsOptional()
  @IsBase64Url({ bytes: 32 })
  deviceToken?: string;
}
