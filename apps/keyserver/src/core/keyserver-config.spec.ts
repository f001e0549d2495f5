import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@app/platform';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadKeyserverConfig } from './keyserver-config.js';

const KEY = 'k'.repeat(32);
const STORAGE_KEY = Buffer.alloc(32, 7).toString('base64url');
const PRODUCTION = {
  NODE_ENV: 'production',
  KEYSERVER_API_KEY: KEY,
  DATABASE_URL: 'postgres://u:p@db:5432/keyserver',
  KEYSERVER_STORAGE_KEYS: `k1:${STORAGE_KEY}`,
};

/** A temporary DATA_DIR, removed when the test ends, passed or failed. */
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'kx-config-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

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
    expect(loadKeyserverConfig({ DATA_DIR: dir }).keyserverApiKey).toBe(
      loadKeyserverConfig({ DATA_DIR: dir }).keyserverApiKey,
    );
  });

  it('stops production without KEYSERVER_API_KEY', () => {
    expect(() => loadKeyserverConfig({ ...PRODUCTION, KEYSERVER_API_KEY: undefined })).toThrow(
      /KEYSERVER_API_KEY is required/,
    );
  });

  it('refuses the embedded database in production, saying to set DATABASE_URL', () => {
    const attempt = () => loadKeyserverConfig({ ...PRODUCTION, DATABASE_URL: undefined, DATA_DIR: dataDir() });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/DATABASE_URL is required when NODE_ENV=production/);
  });

  it('drops a trailing slash from SERVER_URL', () => {
    expect(loadKeyserverConfig({ KEYSERVER_API_KEY: KEY, SERVER_URL: 'https://server.internal:8443/' }).serverUrl).toBe(
      'https://server.internal:8443',
    );
  });

  describe('SERVER_URL in production', () => {
    it('accepts https', () => {
      expect(loadKeyserverConfig({ ...PRODUCTION, SERVER_URL: 'https://server.internal' }).serverUrl).toBe(
        'https://server.internal',
      );
    });

    it('refuses http, naming SERVER_URL and ALLOW_INSECURE_SERVER_URL', () => {
      const attempt = () => loadKeyserverConfig({ ...PRODUCTION, SERVER_URL: 'http://server:3000' });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/SERVER_URL must be https.*ALLOW_INSECURE_SERVER_URL=true/s);
    });

    it('refuses the default (http) URL too', () => {
      expect(() => loadKeyserverConfig(PRODUCTION)).toThrow(/SERVER_URL must be https/);
    });

    it('accepts http with ALLOW_INSECURE_SERVER_URL=true, for a private network', () => {
      const config = loadKeyserverConfig({
        ...PRODUCTION,
        SERVER_URL: 'http://server:3000',
        ALLOW_INSECURE_SERVER_URL: 'true',
      });
      expect(config.serverUrl).toBe('http://server:3000');
    });

    it('still refuses http with ALLOW_INSECURE_SERVER_URL=false', () => {
      const attempt = () =>
        loadKeyserverConfig({ ...PRODUCTION, SERVER_URL: 'http://server:3000', ALLOW_INSECURE_SERVER_URL: 'false' });
      expect(attempt).toThrow(/SERVER_URL must be https/);
    });
  });

  it.each([
    ['SERVER_URL', 'server:3000'],
    ['SERVER_URL', 'ftp://server'],
    ['SERVER_TIMEOUT_MS', '50'],
    ['PORT', '-1'],
    ['DATABASE_URL', 'keyserver.db'],
    ['ALLOW_INSECURE_SERVER_URL', 'yes'],
    ['ALLOW_INSECURE_SERVER_URL', '1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const attempt = () => loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(new RegExp(`- ${name}:`));
  });

  describe('EVENTS_RETENTION_DAYS', () => {
    it('keeps events 90 days by default, and reads the variable', () => {
      expect(loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY }).eventRetentionDays).toBe(90);
      expect(
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, EVENTS_RETENTION_DAYS: '3650' })
          .eventRetentionDays,
      ).toBe(3650);
    });

    it.each(['0', '3651', '1.5', 'forever'])('refuses %s, naming it', (value) => {
      const attempt = () =>
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, EVENTS_RETENTION_DAYS: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/- EVENTS_RETENTION_DAYS:/);
    });
  });

  describe('PRUNE_INTERVAL_SECONDS', () => {
    it('prunes every 10 minutes by default, and reads the variable', () => {
      expect(loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY }).pruneIntervalMs).toBe(600_000);
      expect(
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, PRUNE_INTERVAL_SECONDS: '1' })
          .pruneIntervalMs,
      ).toBe(1000);
    });

    it.each(['0', '86401', '1.5', 'hourly'])('refuses %s, naming it', (value) => {
      const attempt = () =>
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, PRUNE_INTERVAL_SECONDS: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/- PRUNE_INTERVAL_SECONDS:/);
    });
  });

  describe('KEYSERVER_STORAGE_KEYS', () => {
    it('reads id:key entries, the first being current', () => {
      const other = Buffer.alloc(32, 9).toString('base64url');
      const { storageKeys } = loadKeyserverConfig({
        ...PRODUCTION,
        SERVER_URL: 'https://s',
        KEYSERVER_STORAGE_KEYS: `k2:${other}, k1:${STORAGE_KEY}`,
      });
      expect(storageKeys.current).toEqual({ id: 'k2', key: Buffer.alloc(32, 9) });
      expect([...storageKeys.byId.keys()]).toEqual(['k2', 'k1']);
    });

    it.each([
      ['no id', STORAGE_KEY],
      ['an id with a space', `k 1:${STORAGE_KEY}`],
      ['a key of 31 bytes', `k1:${Buffer.alloc(31).toString('base64url')}`],
      ['a key in padded base64', `k1:${Buffer.alloc(32).toString('base64')}`],
      ['an empty entry', `k1:${STORAGE_KEY},`],
      ['the same id twice', `k1:${STORAGE_KEY},k1:${STORAGE_KEY}`],
    ])('refuses %s, naming the variable', (_case, value) => {
      const attempt = () =>
        loadKeyserverConfig({ ...PRODUCTION, SERVER_URL: 'https://s', KEYSERVER_STORAGE_KEYS: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/KEYSERVER_STORAGE_KEYS/);
    });

    it('stops production without it, in one line that says to back it up', () => {
      const attempt = () =>
        loadKeyserverConfig({ ...PRODUCTION, SERVER_URL: 'https://s', KEYSERVER_STORAGE_KEYS: undefined });
      expect(attempt).toThrow(/KEYSERVER_STORAGE_KEYS is required when NODE_ENV=production.*Back it up/);
    });

    it('is generated once into DATA_DIR outside production, mode 0600, and reused', () => {
      const dir = dataDir();
      const first = loadKeyserverConfig({ DATA_DIR: dir, KEYSERVER_API_KEY: KEY }).storageKeys;
      const second = loadKeyserverConfig({ DATA_DIR: dir, KEYSERVER_API_KEY: KEY }).storageKeys;
      expect(second.current).toEqual(first.current);
      expect(first.current.key).toHaveLength(32);
      expect(statSync(join(dir, 'keyserver-storage-keys')).mode & 0o777).toBe(0o600);
    });
  });

  describe('rate limits', () => {
    const SECURE_PRODUCTION = { ...PRODUCTION, SERVER_URL: 'https://server.internal' };

    it('applies both defaults, on, in the database, with no exempt credential', () => {
      const config = loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY });
      expect(config.rateLimits).toEqual({
        enabled: true,
        redisUrl: undefined,
        pruneBatchSize: 1000,
        pruneIntervalMs: 600_000,
        keyPrefix: 'kx:keyserver',
        rules: {
          keysPerUser: { points: 60, durationSeconds: 3600 },
          requestsPerAddress: { points: 600, durationSeconds: 60 },
        },
      });
      expect(config.http.trustProxy).toBe(false);
    });

    it('reads its rate-limit variables, the proxies and the store', () => {
      const config = loadKeyserverConfig({
        ...SECURE_PRODUCTION,
        RATE_LIMIT_KEYS_PER_USER: '6/2h',
        RATE_LIMIT_REQUESTS_PER_ADDRESS: '100/10s',
        REDIS_URL: 'redis://redis:6379',
        REDIS_KEY_PREFIX: 'kx-prod',
        TRUST_PROXY: '2',
      });
      expect(config.rateLimits).toMatchObject({
        enabled: true,
        redisUrl: 'redis://redis:6379',
        keyPrefix: 'kx-prod:keyserver',
        rules: {
          keysPerUser: { points: 6, durationSeconds: 7200 },
          requestsPerAddress: { points: 100, durationSeconds: 10 },
        },
      });
      expect(config.http.trustProxy).toBe(2);
    });

    it.each(['RATE_LIMIT_KEYS_PER_USER', 'RATE_LIMIT_REQUESTS_PER_ADDRESS'])(
      'refuses a malformed or too long %s, naming it',
      (name) => {
        const attempt = () => loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: '60/1y' });
        expect(attempt).toThrow(ConfigurationError);
        expect(attempt).toThrow(new RegExp(`- ${name}: ${name} must be <count>/<window>`));
        expect(() => loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: '60/367d' })).toThrow(
          new RegExp(`^${name} must be <count>/<window>`),
        );
      },
    );

    it('refuses RATE_LIMITS=off in production, and allows it in development', () => {
      expect(() => loadKeyserverConfig({ ...SECURE_PRODUCTION, RATE_LIMITS: 'off' })).toThrow(
        /RATE_LIMITS=off is refused when NODE_ENV=production/,
      );
      expect(
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, RATE_LIMITS: 'off' }).rateLimits.enabled,
      ).toBe(false);
    });

    it('refuses TRUST_PROXY=true, naming it', () => {
      const attempt = () => loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, TRUST_PROXY: 'true' });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/^TRUST_PROXY must be.*"true" is refused/);
    });

    it('refuses a REDIS_URL that is not redis:// or rediss://, naming it', () => {
      const attempt = () =>
        loadKeyserverConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, REDIS_URL: 'https://redis:6379' });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/- REDIS_URL: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    });
  });
});
