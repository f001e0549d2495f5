import { join } from 'node:path';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import type { DatabaseConfig } from '../database/database.module.js';
import { DEFAULT_HTTP_CONFIG, type HttpConfig } from '../http/hardened-http.js';
import { IN_MEMORY } from '../database/embedded-postgres.js';
import { MIN_KEYSERVER_API_KEY_LENGTH, resolveKeyserverApiKey } from './keyserver-api-key.js';
import { ConfigurationError } from './load-config.js';
import { parseRateLimit, parseTrustProxy, RATE_LIMIT_FORMAT, type RateLimitsConfig } from '../rate-limits/rate-limit-config.js';

const RATE_LIMIT_MESSAGE = { message: ({ property }: { property: string }) => `${property} must be <count>/<window>, e.g. 5/15m` };
/** Declares a `RATE_LIMIT_*` variable with its default (README: "Rate limits"). */
export const RateLimitVariable = () => (target: object, property: string) => {
  Expose()(target, property);
  Matches(RATE_LIMIT_FORMAT, RATE_LIMIT_MESSAGE)(target, property);
};

/** The variables both services read; each service's schema extends it. */
export class ServiceEnvironment {
  @Expose() @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT: number;

  @Expose() @IsString()
  HOST = '127.0.0.1';

  @Expose() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Root of the embedded database and the development API key file. */
  @Expose() @IsString()
  DATA_DIR = './data';

  @Expose() @IsOptional() @MinLength(MIN_KEYSERVER_API_KEY_LENGTH)
  KEYSERVER_API_KEY?: string;

  /** Browser origins allowed to call the API, comma-separated; unset: no CORS. */
  @Expose() @IsOptional() @IsString()
  CORS_ORIGINS?: string;

  /** The whole request (headers and body) must arrive within this (slowloris). */
  @Expose() @Type(() => Number) @IsInt() @Min(1000) @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.requestTimeoutMs;

  @Expose() @Type(() => Number) @IsInt() @Min(500) @Max(120_000)
  HTTP_HEADERS_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.headersTimeoutMs;

  /** An idle kept-alive connection is closed after this. */
  @Expose() @Type(() => Number) @IsInt() @Min(100) @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.keepAliveTimeoutMs;

  /** The proxies in front: a hop count or their addresses/CIDR ranges (never `true`). Unset: none. */
  @Expose() @IsOptional() @IsString()
  TRUST_PROXY?: string;

  /** `off` turns every rate limit off, for benchmarks; refused in production. */
  @Expose() @IsIn(['on', 'off'])
  RATE_LIMITS = 'on';

  /** Where the rate-limit counters live; unset: in the service's own database. */
  @Expose() @IsOptional() @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Namespaces the counters' keys in a Redis shared with other deployments. */
  @Expose() @Matches(/^[A-Za-z0-9._-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1 to 32 of A-Z a-z 0-9 . _ -' })
  REDIS_KEY_PREFIX = 'kx';

  @RateLimitVariable()
  RATE_LIMIT_REQUESTS_PER_ADDRESS = '600/1m';

  /** How long each user's events are kept before the service prunes them. */
  @Expose() @Type(() => Number) @IsInt() @Min(1) @Max(3650)
  EVENTS_RETENTION_DAYS = 90;
}

export interface ServiceConfig {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
  http: HttpConfig;
  rateLimits: RateLimitsConfig;
  /** EVENTS_RETENTION_DAYS: events older than this are pruned. */
  eventRetentionDays: number;
}

/** The shared part of a service's configuration, and the keyserver API key it uses. */
export function serviceConfig(env: ServiceEnvironment, service: string): ServiceConfig & { keyserverApiKey: string } {
  const production = env.NODE_ENV === 'production';
  if (production && !env.DATABASE_URL) {
    throw new ConfigurationError(
      'DATABASE_URL is required when NODE_ENV=production: the embedded database (PGlite) is for development only. ' +
        `Set DATABASE_URL to the ${service}'s own PostgreSQL database (postgres://user:password@host:5432/${service}).`,
    );
  }
  return {
    production,
    port: env.PORT,
    host: env.HOST,
    database: {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR === IN_MEMORY ? IN_MEMORY : join(env.DATA_DIR, service),
    },
    http: httpConfig(env),
    rateLimits: rateLimitsConfig(env, service, production),
    eventRetentionDays: env.EVENTS_RETENTION_DAYS,
    keyserverApiKey: resolveKeyserverApiKey({ value: env.KEYSERVER_API_KEY, production, dataRoot: env.DATA_DIR }),
  };
}

function httpConfig(env: ServiceEnvironment): HttpConfig {
  const [requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs] = [
    env.HTTP_REQUEST_TIMEOUT_MS,
    env.HTTP_HEADERS_TIMEOUT_MS,
    env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
  ];
  // A kept-alive connection's next request must not be cut by the headers timer first.
  if (!(keepAliveTimeoutMs < headersTimeoutMs && headersTimeoutMs <= requestTimeoutMs)) {
    throw new ConfigurationError(
      'HTTP timeouts must satisfy HTTP_KEEP_ALIVE_TIMEOUT_MS < HTTP_HEADERS_TIMEOUT_MS <= HTTP_REQUEST_TIMEOUT_MS ' +
        `(got ${keepAliveTimeoutMs}, ${headersTimeoutMs}, ${requestTimeoutMs}).`,
    );
  }
  return {
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
  };
}

/** The part both services share; each adds the rules of its own routes. */
function rateLimitsConfig(env: ServiceEnvironment, service: string, production: boolean): RateLimitsConfig {
  if (production && env.RATE_LIMITS === 'off') {
    throw new ConfigurationError('RATE_LIMITS=off is refused when NODE_ENV=production: it is for benchmarks only.');
  }
  return {
    enabled: env.RATE_LIMITS === 'on',
    redisUrl: env.REDIS_URL,
    // Per service: both may share one Redis, and each has its own ceiling.
    keyPrefix: `${env.REDIS_KEY_PREFIX}:${service}`,
    rules: { requestsPerAddress: parseRateLimit('RATE_LIMIT_REQUESTS_PER_ADDRESS', env.RATE_LIMIT_REQUESTS_PER_ADDRESS) },
  };
}

/** Exact origins only: a browser sends `scheme://host[:port]`, and CORS compares it as a string. */
function parseCorsOrigins(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigurationError(
        `CORS_ORIGINS must be a comma-separated list of origins such as https://app.example.com ` +
          `(scheme, host and optional port; no path, no trailing slash, no wildcard): "${origin}" is not one.`,
      );
    }
    return origin;
  });
}
