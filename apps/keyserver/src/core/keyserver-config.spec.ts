import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@app/platform';
import { describe, expect, it } from 'vitest';
import { loadKeyserverConfig } from './keyserver-config.js';

const KEY = 'k'.repeat(32);
const dataDir = () => mkdtempSync(join(tmpdir(), 'kx-config-'));

describe('keyserver configuration', () => {
  it('has working defaults for development', () => {
    const config = loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY });
    expect(config).toMatchObject({
      production: false,
      port: 3001,
      serverUrl: 'http://127.0.0.1:3000',
      serverTimeoutMs: 5000,
      keyserverApiKey: KEY,
    });
  });

  it('shares the generated development key with the server', () => {
    const dir = dataDir();
    expect(loadKeyserverConfig({ DATA_DIR: dir }).keyserverApiKey).toBe(loadKeyserverConfig({ DATA_DIR: dir }).keyserverApiKey);
  });

  it('stops production without KEYSERVER_API_KEY', () => {
    expect(() => loadKeyserverConfig({ NODE_ENV: 'production' })).toThrow(/KEYSERVER_API_KEY is required/);
  });

  it('drops a trailing slash from SERVER_URL', () => {
    expect(loadKeyserverConfig({ KEYSERVER_API_KEY: KEY, SERVER_URL: 'https://server.internal:8443/' }).serverUrl).toBe(
      'https://server.internal:8443',
    );
  });

  it.each([
    ['SERVER_URL', 'server:3000'],
    ['SERVER_URL', 'ftp://server'],
    ['SERVER_TIMEOUT_MS', '50'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'keyserver.db'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const attempt = () => loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(new RegExp(`- ${name}:`));
  });
});
