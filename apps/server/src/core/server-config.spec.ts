import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@app/platform';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadServerConfig } from './server-config.js';

const KEY = 'k'.repeat(32);
const DATABASE_URL = 'postgres://u:p@db:5432/server';
const VERIFIER_KEY = Buffer.alloc(32, 3).toString('base64url');

/** A temporary DATA_DIR, removed when the test ends, passed or failed. */
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kx-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe('server configuration', () => {
  it('has working defaults for development', () => {
    const config = loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY });
    expect(config).toMatchObject({ production: false, port: 3000, host: '127.0.0.1', sessionTtlSeconds: 43200 });
    expect(config.database.url).toBeUndefined();
    expect(config.keyserverApiKeyHash).toEqual(createHash('sha256').update(KEY).digest());
  });

  it('reads every variable', () => {
    const config = loadServerConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL,
      KEYSERVER_API_KEY: KEY,
      SESSION_TTL_SECONDS: '3600',
      SERVER_VERIFIER_KEYS: `v2:${VERIFIER_KEY},v1:${Buffer.alloc(32, 4).toString('base64url')}`,
    });
    expect(config).toMatchObject({
      production: true,
      port: 8080,
      host: '0.0.0.0',
      database: { url: DATABASE_URL },
      sessionTtlSeconds: 3600,
      verifierKeys: { current: { id: 'v2', key: Buffer.alloc(32, 3) } },
    });
  });

  it('stops production without SERVER_VERIFIER_KEYS, saying to back it up', () => {
    const attempt = () => loadServerConfig({ NODE_ENV: 'production', DATABASE_URL, KEYSERVER_API_KEY: KEY });
    expect(attempt).toThrow(/SERVER_VERIFIER_KEYS is required when NODE_ENV=production.*Back it up/);
  });

  it('refuses a malformed SERVER_VERIFIER_KEYS, naming it', () => {
    const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, SERVER_VERIFIER_KEYS: 'v1:short' });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/SERVER_VERIFIER_KEYS must be/);
  });

  it('generates the development verifier keys once into DATA_DIR, mode 0600', () => {
    const dir = dataDir();
    const first = loadServerConfig({ DATA_DIR: dir, KEYSERVER_API_KEY: KEY }).verifierKeys;
    expect(loadServerConfig({ DATA_DIR: dir, KEYSERVER_API_KEY: KEY }).verifierKeys.current).toEqual(first.current);
    expect(statSync(join(dir, 'server-verifier-keys')).mode & 0o777).toBe(0o600);
  });

  it('stops production without KEYSERVER_API_KEY, saying what to set', () => {
    const attempt = () => loadServerConfig({ NODE_ENV: 'production', DATABASE_URL });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/KEYSERVER_API_KEY is required/);
  });

  it('refuses the embedded database in production, saying to set DATABASE_URL', () => {
    const attempt = () => loadServerConfig({ NODE_ENV: 'production', KEYSERVER_API_KEY: KEY, DATA_DIR: dataDir() });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/DATABASE_URL is required when NODE_ENV=production/);
  });

  it('generates a development key once, owner-readable only, and reuses it', () => {
    const dir = dataDir();
    const first = loadServerConfig({ DATA_DIR: dir });
    const second = loadServerConfig({ DATA_DIR: dir });
    expect(second.keyserverApiKeyHash).toEqual(first.keyserverApiKeyHash);
    const file = join(dir, 'keyserver-api-key');
    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('creates DATA_DIR for the owner alone', () => {
    const dir = join(dataDir(), 'data');
    loadServerConfig({ DATA_DIR: dir });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['NODE_ENV', 'staging'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://db/server'],
    ['KEYSERVER_API_KEY', 'too-short'],
    ['SESSION_TTL_SECONDS', '59'],
    ['SESSION_TTL_SECONDS', '1.5'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(new RegExp(`- ${name}:`));
  });
});
