import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { decodeBase64Url } from '@app/contracts/wire';
import { IN_MEMORY } from '../database/embedded-postgres.js';
import { readOrCreateSecretFile } from './keyserver-api-key.js';
import { ConfigurationError } from './load-config.js';

/** Keys that encrypt stored secrets at rest: the first is current, the others still open older rows. */
export interface StorageKeyring {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const STORAGE_KEY_BYTES = 32;

/** `id:base64url-32-bytes[,id:base64url-32-bytes...]`, the first being current. */
export function parseStorageKeys(variable: string, value: string): StorageKeyring {
  const byId = new Map<string, Buffer>();
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [id, encoded, ...rest] = entry.split(':');
    const key = decodeBase64Url(encoded);
    if (rest.length > 0 || !KEY_ID.test(id ?? '') || key?.length !== STORAGE_KEY_BYTES) {
      throw new ConfigurationError(
        `${variable} must be a comma-separated list of id:key entries, each id 1 to 32 of A-Z a-z 0-9 . _ - ` +
          `and each key 32 random bytes in base64url (e.g. k1:$(openssl rand 32 | basenc --base64url | tr -d =)).`,
      );
    }
    if (byId.has(id)) throw new ConfigurationError(`${variable} names the key id ${id} twice.`);
    byId.set(id, Buffer.from(key));
  }
  const [currentId] = byId.keys();
  return { current: { id: currentId, key: byId.get(currentId)! }, byId };
}

/**
 * The keyring from its variable. Production must set it: losing it loses
 * every stored secret, so it is never made up there. Outside production an
 * unset keyring is generated once into `<dataRoot>/<file>` (mode 0600), or
 * kept in memory when the database is in memory too.
 */
export function resolveStorageKeys(options: {
  variable: string;
  value?: string;
  production: boolean;
  dataRoot: string;
  file: string;
}): StorageKeyring {
  const { variable } = options;
  if (options.value) return parseStorageKeys(variable, options.value);
  if (options.production) {
    throw new ConfigurationError(
      `${variable} is required when NODE_ENV=production: at least one id:key entry (32 random bytes, base64url). ` +
        'Back it up apart from the database: losing every copy loses every stored key for good.',
    );
  }
  const generate = () => `dev1:${randomBytes(STORAGE_KEY_BYTES).toString('base64url')}`;
  if (options.dataRoot === IN_MEMORY) return parseStorageKeys(variable, generate());
  const path = join(options.dataRoot, options.file);
  return parseStorageKeys(`${variable} (from ${path})`, readOrCreateSecretFile(path, generate, variable));
}
