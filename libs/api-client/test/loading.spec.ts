import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

/** Compiles the library as a consumer would, then loads it with Node itself (not Vite). Call it inside a test. */
function compile(module: 'nodenext' | 'commonjs'): string {
  const out = mkdtempSync(join(tmpdir(), `kx-api-client-${module}-`));
  // Registered before anything can fail, so a failing test removes it too.
  onTestFinished(() => rmSync(out, { recursive: true, force: true }));
  const flags =
    module === 'commonjs'
      ? ['--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0']
      : [];
  execFileSync(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '-p',
      'libs/api-client/tsconfig.lib.json',
      '--outDir',
      out,
      '--rootDir',
      'libs/api-client/src',
      '--incremental',
      'false',
      ...flags,
    ],
    { stdio: 'pipe' },
  );
  writeFileSync(join(out, 'package.json'), JSON.stringify({ type: module === 'commonjs' ? 'commonjs' : 'module' }));
  return out;
}

describe('the generated client library', () => {
  it('loads as Node ESM', async () => {
    const library = (await import(pathToFileURL(join(compile('nodenext'), 'index.js')).href)) as Record<
      string,
      unknown
    >;
    expect(typeof library.ServerClient).toBe('function');
    expect(typeof library.KeyserverClient).toBe('function');
  }, 60_000);

  it('loads as CommonJS', () => {
    const library = createRequire(import.meta.url)(join(compile('commonjs'), 'index.js')) as Record<string, unknown>;
    expect(typeof library.ServerClient).toBe('function');
    expect(typeof library.isApiError).toBe('function');
  }, 60_000);
});
