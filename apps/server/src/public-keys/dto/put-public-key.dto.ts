import { IsBase64Url } from '@app/contracts';
import { fromBase64Url, isValidX25519PublicKey, KEY_ALGORITHM, PUBLIC_KEY_BYTES } from '@app/crypto';
import { ApiProperty } from '@nestjs/swagger';
import { Equals, ValidateBy } from 'class-validator';

const IsUsableX25519PublicKey = () =>
  ValidateBy({
    name: 'isUsableX25519PublicKey',
    validator: {
      validate: (value) => {
        try {
          return isValidX25519PublicKey(fromBase64Url(value as string));
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'publicKey must be a usable X25519 public key (not a low-order point)',
    },
  });

export class PutPublicKeyRequestDto {
  @ApiProperty({ enum: [KEY_ALGORITHM], example: KEY_ALGORITHM, description: 'The one algorithm of protocol v1' })
  @Equals(KEY_ALGORITHM, { message: `algorithm must be "${KEY_ALGORITHM}"` })
  algorithm: typeof KEY_ALGORITHM;

  /**
   * The 32-byte raw X25519 public key, base64url.
   * @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw
   */
  @IsBase64Url({ bytes: PUBLIC_KEY_BYTES })
  @IsUsableX25519PublicKey()
  publicKey: string;
}
