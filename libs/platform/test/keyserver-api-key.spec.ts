import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, MIN_KEYSERVER_API_KEY_LENGTH, resolveKeyserverApiKey } from '../src/index.js';

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A data root holding a key file made by `make(path)`. */
function dataRootWith(make: (path: string) => void): string {
  const dataRoot = mkdtempSync(join(tmpdir(), 'kx-apikey-'));
  created.push(dataRoot);
  make(join(dataRoot, 'keyserver-api-key'));
  return dataRoot;
}

const GOOD_KEY = 'g'.repeat(MIN_KEYSERVER_API_KEY_LENGTH);
const resolve = (dataRoot: string) => resolveKeyserverApiKey({ production: false, dataRoot });

function expectRefusal(dataRoot: string, message: RegExp): void {
  expect(() => resolve(dataRoot)).toThrow(ConfigurationError);
  expect(() => resolve(dataRoot)).toThrow(message);
  // Every refusal says the way out.
  expect(() => resolve(dataRoot)).toThrow(/or set KEYSERVER_API_KEY/);
}

describe('the development API key file', () => {
  it("is read when it is the owner's own 0600 file with a long enough key", () => {
    const dataRoot = dataRootWith((path) => writeFileSync(path, `${GOOD_KEY}\n`, { mode: 0o600 }));
    expect(resolve(dataRoot)).toBe(GOOD_KEY);
  });

  it('is refused when the key is shorter than the minimum', () => {
    const dataRoot = dataRootWith((path) =>
      writeFileSync(path, 's'.repeat(MIN_KEYSERVER_API_KEY_LENGTH - 1), { mode: 0o600 }),
    );
    expectRefusal(dataRoot, /keyserver-api-key holds fewer than 32 characters: remove it/);
  });

  it('is refused when it is a symbolic link, even to a good key file', () => {
    const dataRoot = dataRootWith((path) => {
      const target = `${path}.target`;
      writeFileSync(target, GOOD_KEY, { mode: 0o600 });
      symlinkSync(target, path);
    });
    expectRefusal(dataRoot, /keyserver-api-key is a symbolic link/);
  });

  it('is refused when it is a directory', () => {
    const dataRoot = dataRootWith((path) => mkdirSync(path, { mode: 0o700 }));
    expectRefusal(dataRoot, /keyserver-api-key is not a regular file/);
  });

  it.each(['640', '604', '660', '644', '610'])('is refused with mode %s, saying to chmod 600', (mode) => {
    const dataRoot = dataRootWith((path) => {
      writeFileSync(path, GOOD_KEY);
      chmodSync(path, parseInt(mode, 8));
    });
    expectRefusal(dataRoot, new RegExp(`can be used by other users \\(mode ${mode}\\): run chmod 600 `));
  });

  // Only root can give a file to another user.
  it.runIf(process.getuid?.() === 0)('is refused when another user owns it', () => {
    const dataRoot = dataRootWith((path) => {
      writeFileSync(path, GOOD_KEY, { mode: 0o600 });
      chownSync(path, 65534, 65534);
    });
    expectRefusal(dataRoot, /keyserver-api-key belongs to another user/);
  });

  it('is created with its folder for the owner alone', () => {
    const dataRoot = join(
      dataRootWith(() => undefined),
      'data',
    );
    expect(resolve(dataRoot)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(dataRoot).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataRoot, 'keyserver-api-key')).mode & 0o777).toBe(0o600);
  });
});
