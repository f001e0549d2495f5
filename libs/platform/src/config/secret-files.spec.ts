import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigurationError, SECRET_SETTINGS, withSecretFiles } from './load-config.js';
import { ServiceEnvironment, serviceConfig } from './service-environment.js';
import { loadConfig } from './load-config.js';

/** A file holding `content` in a temporary folder, removed when the test ends. */
function secretFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kx-secret-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'secret');
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('secret settings from files (<NAME>_FILE)', () => {
  it('reads each secret setting from the file its _FILE names, without the trailing newline', () => {
    for (const name of SECRET_SETTINGS) {
      expect(withSecretFiles({ [`${name}_FILE`]: secretFile('s3cret-value\n') })[name]).toBe('s3cret-value');
    }
    expect(SECRET_SETTINGS).toEqual(
      expect.arrayContaining([
        'KEYSERVER_API_KEY',
        'KEYSERVER_STORAGE_KEYS',
        'SERVER_VERIFIER_KEYS',
        'METRICS_TOKEN',
        'DATABASE_URL',
        'REDIS_URL',
      ]),
    );
  });

  it('feeds the file’s value to validation like the variable itself', () => {
    const env = loadConfig(ServiceEnvironment, {
      PORT: '3000',
      DATABASE_URL_FILE: secretFile('postgres://u:p@db:5432/server\n'),
    });
    expect(env.DATABASE_URL).toBe('postgres://u:p@db:5432/server');
    expect(() =>
      loadConfig(ServiceEnvironment, { PORT: '3000', DATABASE_URL_FILE: secretFile('mysql://nope') }),
    ).toThrow(/DATABASE_URL must be a postgres/);
  });

  it('refuses both the variable and its file, and a file it cannot read, naming the variable', () => {
    expect(() => withSecretFiles({ REDIS_URL: 'redis://a', REDIS_URL_FILE: secretFile('redis://b') })).toThrow(
      new ConfigurationError('Set REDIS_URL or REDIS_URL_FILE, not both.'),
    );
    expect(() => withSecretFiles({ KEYSERVER_API_KEY_FILE: '/nonexistent/kx-secret' })).toThrow(
      /KEYSERVER_API_KEY_FILE: cannot read \/nonexistent\/kx-secret \(ENOENT\)/,
    );
  });

  it('ignores _FILE for settings that are not secrets', () => {
    expect(withSecretFiles({ PORT_FILE: '/nonexistent' })).toEqual({ PORT_FILE: '/nonexistent' });
  });
});

describe('database settings', () => {
  const env = (extra: Record<string, string>) =>
    loadConfig(ServiceEnvironment, { PORT: '3000', KEYSERVER_API_KEY: 'k'.repeat(32), ...extra });

  it('bounds every statement by DB_QUERY_TIMEOUT_MS (default 5 s) and runs migrations at start by default', () => {
    expect(serviceConfig(env({ DATA_DIR: 'memory://' }), 'server').database).toMatchObject({
      queryTimeoutMs: 5000,
      runMigrations: true,
    });
    expect(
      serviceConfig(env({ DATA_DIR: 'memory://', DB_QUERY_TIMEOUT_MS: '750' }), 'server').database.queryTimeoutMs,
    ).toBe(750);
    expect(() => env({ DB_QUERY_TIMEOUT_MS: '0' })).toThrow(/DB_QUERY_TIMEOUT_MS/);
    expect(() => env({ MIGRATIONS: 'later' })).toThrow(/MIGRATIONS/);
  });

  it('refuses MIGRATIONS=skip on the embedded database, which only the service migrates', () => {
    expect(() => serviceConfig(env({ DATA_DIR: 'memory://', MIGRATIONS: 'skip' }), 'server')).toThrow(
      /MIGRATIONS=skip needs DATABASE_URL/,
    );
    const skipped = serviceConfig(env({ DATABASE_URL: 'postgres://u:p@db:5432/server', MIGRATIONS: 'skip' }), 'server');
    expect(skipped.database.runMigrations).toBe(false);
  });
});
