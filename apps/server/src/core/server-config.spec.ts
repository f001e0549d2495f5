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
    const attempt = () =>
      loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, SERVER_VERIFIER_KEYS: 'v1:short' });
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
    ['LOGIN_HASH_CONCURRENCY', '0'],
    ['LOGIN_HASH_QUEUE', '-1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(new RegExp(`- ${name}:`));
  });

  describe('rate limits', () => {
    const PRODUCTION = {
      NODE_ENV: 'production',
      DATABASE_URL,
      KEYSERVER_API_KEY: KEY,
      SERVER_VERIFIER_KEYS: `v1:${VERIFIER_KEY}`,
    };

    it('applies every default, on, in the database, exempting the keyserver API key from the ceiling', () => {
      const config = loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY });
      expect(config.rateLimits).toEqual({
        enabled: true,
        redisUrl: undefined,
        pruneBatchSize: 1000,
        pruneIntervalMs: 600_000,
        keyPrefix: 'kx:server',
        rules: {
          loginPerEmailAndAddress: { points: 5, durationSeconds: 900 },
          loginPerAddress: { points: 30, durationSeconds: 900 },
          loginPerEmail: { points: 50, durationSeconds: 86_400 },
          loginPerDevice: { points: 10, durationSeconds: 900 },
          registerPerAddress: { points: 20, durationSeconds: 3600 },
          accessTokensPerSession: { points: 30, durationSeconds: 60 },
          challengesPerSession: { points: 20, durationSeconds: 60 },
          wrongAnswersPerSession: { points: 5, durationSeconds: 3600 },
          secretWritesPerUser: { points: 120, durationSeconds: 3600 },
          requestsPerAddress: { points: 600, durationSeconds: 60 },
        },
        exemptBearerHash: createHash('sha256').update(KEY).digest(),
      });
      expect(config.http.trustProxy).toBe(false);
    });

    it('reads every rate-limit variable, the proxies, the store and the login-hashing queue', () => {
      const config = loadServerConfig({
        ...PRODUCTION,
        RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '3/10m',
        RATE_LIMIT_LOGIN_PER_ADDRESS: '4/10m',
        RATE_LIMIT_LOGIN_PER_EMAIL: '5/2d',
        RATE_LIMIT_LOGIN_PER_DEVICE: '6/10m',
        RATE_LIMIT_REGISTER_PER_ADDRESS: '7/2h',
        RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: '8/30s',
        RATE_LIMIT_CHALLENGES_PER_SESSION: '9/30s',
        RATE_LIMIT_WRONG_ANSWERS_PER_SESSION: '10/2h',
        RATE_LIMIT_REQUESTS_PER_ADDRESS: '11/10s',
        RATE_LIMIT_SECRET_WRITES_PER_USER: '12/1d',
        REDIS_URL: 'rediss://:secret@redis.internal:6380/2',
        REDIS_KEY_PREFIX: 'kx-prod',
        TRUST_PROXY: '10.0.0.0/8,fd00::/8',
        LOGIN_HASH_CONCURRENCY: '3',
        LOGIN_HASH_QUEUE: '0',
      });
      expect(config.rateLimits).toMatchObject({
        enabled: true,
        redisUrl: 'rediss://:secret@redis.internal:6380/2',
        keyPrefix: 'kx-prod:server',
        rules: {
          loginPerEmailAndAddress: { points: 3, durationSeconds: 600 },
          loginPerAddress: { points: 4, durationSeconds: 600 },
          loginPerEmail: { points: 5, durationSeconds: 172_800 },
          loginPerDevice: { points: 6, durationSeconds: 600 },
          registerPerAddress: { points: 7, durationSeconds: 7200 },
          accessTokensPerSession: { points: 8, durationSeconds: 30 },
          challengesPerSession: { points: 9, durationSeconds: 30 },
          wrongAnswersPerSession: { points: 10, durationSeconds: 7200 },
          requestsPerAddress: { points: 11, durationSeconds: 10 },
          secretWritesPerUser: { points: 12, durationSeconds: 86_400 },
        },
      });
      expect(config.http.trustProxy).toEqual(['10.0.0.0/8', 'fd00::/8']);
      expect(config.loginHashing).toEqual({ concurrency: 3, queue: 0 });
    });

    it.each([
      'RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS',
      'RATE_LIMIT_LOGIN_PER_ADDRESS',
      'RATE_LIMIT_LOGIN_PER_EMAIL',
      'RATE_LIMIT_LOGIN_PER_DEVICE',
      'RATE_LIMIT_REGISTER_PER_ADDRESS',
      'RATE_LIMIT_ACCESS_TOKENS_PER_SESSION',
      'RATE_LIMIT_CHALLENGES_PER_SESSION',
      'RATE_LIMIT_WRONG_ANSWERS_PER_SESSION',
      'RATE_LIMIT_REQUESTS_PER_ADDRESS',
      'RATE_LIMIT_SECRET_WRITES_PER_USER',
    ])('refuses a malformed or too long %s, naming it', (name) => {
      for (const value of ['5/15', '0/1m', 'five/15m']) {
        const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
        expect(attempt).toThrow(ConfigurationError);
        expect(attempt).toThrow(new RegExp(`- ${name}: ${name} must be <count>/<window>`));
      }
      // Well formed, but a window over a year.
      expect(() => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: '5/400d' })).toThrow(
        new RegExp(`^${name} must be <count>/<window>.*"5/400d" is not`),
      );
    });

    it('refuses RATE_LIMITS=off in production, and anything but on or off', () => {
      expect(() => loadServerConfig({ ...PRODUCTION, RATE_LIMITS: 'off' })).toThrow(
        /RATE_LIMITS=off is refused when NODE_ENV=production/,
      );
      expect(() => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, RATE_LIMITS: 'false' })).toThrow(
        /- RATE_LIMITS:/,
      );
      expect(loadServerConfig({ ...PRODUCTION, RATE_LIMITS: 'on' }).rateLimits.enabled).toBe(true);
    });

    it('allows RATE_LIMITS=off in development, for benchmarks', () => {
      expect(
        loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, RATE_LIMITS: 'off' }).rateLimits.enabled,
      ).toBe(false);
    });

    it.each(['true', '10.0.0.0/33', 'loopback'])('refuses TRUST_PROXY=%s, naming it', (value) => {
      const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, TRUST_PROXY: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(/^TRUST_PROXY must be/);
    });

    it('reads TRUST_PROXY as a hop count', () => {
      expect(loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, TRUST_PROXY: '1' }).http.trustProxy).toBe(
        1,
      );
    });

    it.each([
      ['REDIS_URL', 'http://redis:6379'],
      ['REDIS_URL', 'redis.internal:6379'],
      ['REDIS_KEY_PREFIX', 'kx:prod'],
      ['REDIS_KEY_PREFIX', 'k'.repeat(33)],
    ])('refuses %s=%s, naming it', (name, value) => {
      const attempt = () => loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, [name]: value });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(new RegExp(`- ${name}: ${name} must be`));
    });

    it('accepts a redis:// REDIS_URL', () => {
      const config = loadServerConfig({ DATA_DIR: dataDir(), KEYSERVER_API_KEY: KEY, REDIS_URL: 'redis://redis:6379' });
      expect(config.rateLimits.redisUrl).toBe('redis://redis:6379');
    });
  });
});
