import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from './load-config.js';

export const MIN_KEYSERVER_API_KEY_LENGTH = 32;

/**
 * The key the keyserver presents to the server's validate endpoint.
 *
 * Production must set KEYSERVER_API_KEY. Outside production an unset key is
 * generated once into `<dataRoot>/keyserver-api-key` and read from there by
 * both services, so `npm start` works with nothing configured.
 */
export function resolveKeyserverApiKey(options: {
  value?: string;
  production: boolean;
  dataRoot: string;
}): string {
  if (options.value) return options.value;
  if (options.production) {
    throw new ConfigurationError(
      'KEYSERVER_API_KEY is required when NODE_ENV=production: set the same random value ' +
        `(at least ${MIN_KEYSERVER_API_KEY_LENGTH} characters) for the server and the keyserver.`,
    );
  }
  return readOrCreateSharedKey(join(options.dataRoot, 'keyserver-api-key'));
}

function readOrCreateSharedKey(path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const candidate = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(candidate, randomBytes(32).toString('base64url'), { mode: 0o600 });
  try {
    // link() creates the file only if it is absent: when both services start
    // at once, exactly one key wins and both read it complete.
    linkSync(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(candidate, { force: true });
  }
  return readFileSync(path, 'utf8').trim();
}
