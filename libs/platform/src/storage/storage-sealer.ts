import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { FactoryProvider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { StorageKeyring } from '../config/storage-keys.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A row sealed under a key id this configuration does not hold: the operator must restore that key. */
export class StorageKeyMissingError extends Error {
  constructor(readonly keyId: string) {
    super(`No storage key with id ${keyId} is configured`);
  }
}

/** A sealed value that does not open: altered, or copied from another row or table. */
export class StorageIntegrityError extends Error {}

/**
 * AES-256-GCM under the storage keys, so that a copy of the database alone
 * holds nothing a password guess can be tested against. The additional data
 * names the table and row (`keyexchange/v1/storage/<table>/<rowId>`): a value
 * copied elsewhere does not open. Sealed form: nonce (12) || ciphertext || tag (16).
 */
export class StorageSealer {
  constructor(private readonly keyring: StorageKeyring) {}

  get currentKeyId(): string {
    return this.keyring.current.id;
  }

  holds(keyId: string): boolean {
    return this.keyring.byId.has(keyId);
  }

  seal(plaintext: Buffer, table: string, rowId: string): { keyId: string; sealed: Buffer } {
    const { id, key } = this.keyring.current;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(additionalData(table, rowId));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: id, sealed: Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]) };
  }

  open(keyId: string, sealed: Buffer, table: string, rowId: string): Buffer {
    const key = this.keyring.byId.get(keyId);
    if (!key) throw new StorageKeyMissingError(keyId);
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new StorageIntegrityError('A sealed value is too short');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES)).setAAD(
      additionalData(table, rowId),
    );
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new StorageIntegrityError(`A sealed value of ${table} does not open for its row`);
    }
  }
}

function additionalData(table: string, rowId: string): Buffer {
  return Buffer.from(`keyexchange/v1/storage/${table}/${rowId}`, 'utf8');
}

/** The StorageSealer of a module, over the keyring at `configKey` in the validated configuration. */
export function storageSealerProvider(configKey: string): FactoryProvider<StorageSealer> {
  return {
    provide: StorageSealer,
    inject: [ConfigService],
    useFactory: (config: ConfigService) => new StorageSealer(config.getOrThrow<StorageKeyring>(configKey)),
  };
}
