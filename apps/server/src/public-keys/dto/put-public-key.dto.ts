import { IsBase64Url } from '@app/contracts';
import { fromBase64Url, isValidX25519PublicKey, KEY_ALGORITHM } from '@app/crypto';
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
  /** @example HPKE-X25519-SHA256-AES256GCM */
  @Equals(KEY_ALGORITHM, { message: `algorithm must be "${KEY_ALGORITHM}"` })
  algorithm: string;

  /**
   * The 32-byte raw X25519 public key, base64url.
   * @example m5-sti9cA73lpqlbiCqe3QpeskBtL5Bdi9CzaPO9lUw
   */
  @IsBase64Url({ bytes: 32 })
  @IsUsableX25519PublicKey()
  publicKey: string;
}
