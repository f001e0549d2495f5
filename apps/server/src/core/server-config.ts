import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { keyChangeReceiptKey } from '@app/crypto';
import {
  loadConfig,
  parseRateLimits,
  RateLimitVariable,
  resolveStorageKeys,
  ServiceEnvironment,
  serviceConfig,
  type ServiceConfig,
  type StorageKeyring,
} from '@app/platform';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { secretBodies } from '../secrets/secret-bodies.js';

/** The environment the server reads, validated once at start. */
class ServerEnvironment extends ServiceEnvironment {
  override PORT = 3000;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(60)
  @Max(30 * 24 * 3600)
  SESSION_TTL_SECONDS = 12 * 3600;

  /** `id:base64url-32-bytes[,...]`: encrypt the stored login verifiers at rest; the first is current. */
  @Expose()
  @IsOptional()
  @IsString()
  SERVER_VERIFIER_KEYS?: string;

  /** How many logins may hash at once, and how many may wait: past that a login answers 503. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  LOGIN_HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  LOGIN_HASH_QUEUE = 32;

  @RateLimitVariable() RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS = '5/15m';
  @RateLimitVariable() RATE_LIMIT_LOGIN_PER_ADDRESS = '30/15m';
  @RateLimitVariable() RATE_LIMIT_LOGIN_PER_EMAIL = '50/24h';
  @RateLimitVariable() RATE_LIMIT_LOGIN_PER_DEVICE = '10/15m';
  @RateLimitVariable() RATE_LIMIT_REGISTER_PER_ADDRESS = '20/1h';
  @RateLimitVariable() RATE_LIMIT_ACCESS_TOKENS_PER_SESSION = '30/1m';
  @RateLimitVariable() RATE_LIMIT_CHALLENGES_PER_SESSION = '20/1m';
  @RateLimitVariable() RATE_LIMIT_WRONG_ANSWERS_PER_SESSION = '5/1h';
  @RateLimitVariable() RATE_LIMIT_SECRET_WRITES_PER_USER = '120/1h';
}

export interface ServerConfig extends ServiceConfig {
  /** Only the hash is kept: the server compares, it never presents the key. */
  keyserverApiKeyHash: Buffer;
  /** Checks the keyserver's key-change receipts; derived (non-extractable) from the API key, which is not kept. */
  keyChangeReceiptKey: Promise<CryptoKey>;
  sessionTtlSeconds: number;
  verifierKeys: StorageKeyring;
  loginHashing: { concurrency: number; queue: number };
}

export function loadServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const e = loadConfig(ServerEnvironment, env);
  const { keyserverApiKey, ...shared } = serviceConfig(e, 'server');
  const keyserverApiKeyHash = createHash('sha256').update(keyserverApiKey).digest();
  return {
    ...shared,
    // The routes that carry a whole version of a shared secret take larger bodies.
    http: { ...shared.http, largeJsonBodies: secretBodies },
    rateLimits: {
      ...shared.rateLimits,
      rules: {
        ...shared.rateLimits.rules,
        ...parseRateLimits({
          loginPerEmailAndAddress: e.RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS,
          loginPerAddress: e.RATE_LIMIT_LOGIN_PER_ADDRESS,
          loginPerEmail: e.RATE_LIMIT_LOGIN_PER_EMAIL,
          loginPerDevice: e.RATE_LIMIT_LOGIN_PER_DEVICE,
          registerPerAddress: e.RATE_LIMIT_REGISTER_PER_ADDRESS,
          accessTokensPerSession: e.RATE_LIMIT_ACCESS_TOKENS_PER_SESSION,
          challengesPerSession: e.RATE_LIMIT_CHALLENGES_PER_SESSION,
          wrongAnswersPerSession: e.RATE_LIMIT_WRONG_ANSWERS_PER_SESSION,
          secretWritesPerUser: e.RATE_LIMIT_SECRET_WRITES_PER_USER,
        }),
      },
      // The keyserver's validate calls all come from its one address.
      exemptBearerHash: keyserverApiKeyHash,
    },
    loginHashing: { concurrency: e.LOGIN_HASH_CONCURRENCY, queue: e.LOGIN_HASH_QUEUE },
    keyserverApiKeyHash,
    keyChangeReceiptKey: keyChangeReceiptKey(keyserverApiKey),
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    verifierKeys: resolveStorageKeys({
      variable: 'SERVER_VERIFIER_KEYS',
      value: e.SERVER_VERIFIER_KEYS,
      production: shared.production,
      dataRoot: e.DATA_DIR,
      file: 'server-verifier-keys',
    }),
  };
}
