import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
export function resolveKeyserverApiKey(options: { value?: string; production: boolean; dataRoot: string }): string {
  if (options.value) return options.value;
  if (options.production) {
    throw new ConfigurationError(
      'KEYSERVER_API_KEY is required when NODE_ENV=production: set the same random value ' +
        `(at least ${MIN_KEYSERVER_API_KEY_LENGTH} characters) for the server and the keyserver.`,
    );
  }
  const path = join(options.dataRoot, 'keyserver-api-key');
  const key = readOrCreateSecretFile(path, () => randomBytes(32).toString('base64url'), 'KEYSERVER_API_KEY');
  if (key.length < MIN_KEYSERVER_API_KEY_LENGTH) {
    throw new ConfigurationError(
      `The development API key file ${path} holds fewer than ` +
        `${MIN_KEYSERVER_API_KEY_LENGTH} characters: remove it to have a new key generated, or set KEYSERVER_API_KEY.`,
    );
  }
  return key;
}

/**
 * A development secret shared by both services through a file: created once
 * (mode 0600, in a 0700 folder), then read, refusing one another user could
 * have written or read. `variable` is what to set instead.
 */
export function readOrCreateSecretFile(path: string, generate: () => string, variable: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const candidate = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(candidate, generate(), { mode: 0o600 });
  try {
    // link() creates the file only if it is absent: when both services start
    // at once, exactly one key wins and both read it complete.
    linkSync(candidate, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(candidate, { force: true });
  }
  return readOwnSecretFile(path, variable);
}

/** Reads a secret file, refusing one another user could have written or read. */
function readOwnSecretFile(path: string, variable: string): string {
  const refuse = (problem: string, fix: string) =>
    new ConfigurationError(`The development secret file ${path} ${problem}: ${fix}, or set ${variable}.`);
  let fd: number;
  try {
    // Checked through the open file, so what is checked is what is read;
    // O_NONBLOCK keeps a FIFO from hanging the start.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw refuse('is a symbolic link', 'replace it with the key file itself');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse('is not a regular file', 'remove it to have a new key generated');
    if (stat.uid !== process.getuid?.())
      throw refuse('belongs to another user', 'remove it to have a new key generated');
    if ((stat.mode & 0o077) !== 0) {
      throw refuse(`can be used by other users (mode ${(stat.mode & 0o777).toString(8)})`, `run chmod 600 ${path}`);
    }
    return readFileSync(fd, 'utf8').trim();
  } finally {
    closeSync(fd);
  }
}
