import { normalizeEmail } from '@app/contracts';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, MaxLength, ValidateBy } from 'class-validator';

/** A lone surrogate would be hashed as U+FFFD, colliding with other passwords. */
const IsWellFormedUnicode = () =>
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

/** `register` and `login` take the same body. */
export class CredentialsDto {
  /**
   * Trimmed and lower-cased (Unicode default case mapping) before it is stored or compared.
   * @example alice@example.com
   */
  @Transform(({ value }) => (typeof value === 'string' ? normalizeEmail(value) : value))
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
