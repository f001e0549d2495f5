import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import type { DatabaseConfig } from '../database/database.module.js';
import type { ShutdownConfig } from '../http/graceful-shutdown.js';
import { DEFAULT_HTTP_CONFIG, type HttpConfig } from '../http/hardened-http.js';
import { IN_MEMORY } from '../database/embedded-postgres.js';
import { MIN_KEYSERVER_API_KEY_LENGTH, resolveKeyserverApiKey } from './keyserver-api-key.js';
import { ConfigurationError } from './load-config.js';
import { LOG_FORMATS, LOG_LEVELS, type LoggingConfig } from '../logging/request-logger.js';
import type { MetricsConfig } from '../metrics/metrics.service.js';
import {
  parseRateLimit,
  parseTrustProxy,
  RATE_LIMIT_FORMAT,
  type RateLimitsConfig,
} from '../rate-limits/rate-limit-config.js';

const RATE_LIMIT_MESSAGE = {
  message: ({ property }: { property: string }) => `${property} must be <count>/<window>, e.g. 5/15m`,
};
/** Declares a `RATE_LIMIT_*` variable with its default (README: "Rate limits"). */
export const RateLimitVariable = () => (target: object, property: string) => {
  Expose()(target, property);
  Matches(RATE_LIMIT_FORMAT, RATE_LIMIT_MESSAGE)(target, property);
};

/** The variables both services read; each service's schema extends it. */
export class ServiceEnvironment {
  @Expose()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number;

  @Expose()
  @IsString()
  HOST = '127.0.0.1';

  @Expose()
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Bounds connecting and every statement: a request never waits on the database longer than this. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DB_QUERY_TIMEOUT_MS = 5000;

  /** `skip`: the deployment runs them as a step of its own (`npm run migrate`); refused on the embedded database. */
  @Expose()
  @IsIn(['run', 'skip'])
  MIGRATIONS = 'run';

  /** Root of the embedded database and the development API key file. */
  @Expose()
  @IsString()
  DATA_DIR = './data';

  @Expose()
  @IsOptional()
  @MinLength(MIN_KEYSERVER_API_KEY_LENGTH)
  KEYSERVER_API_KEY?: string;

  /** Browser origins allowed to call the API, comma-separated; unset: no CORS. */
  @Expose()
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  /** The whole request (headers and body) must arrive within this (slowloris). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HTTP_REQUEST_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.requestTimeoutMs;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(500)
  @Max(120_000)
  HTTP_HEADERS_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.headersTimeoutMs;

  /** An idle kept-alive connection is closed after this. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = DEFAULT_HTTP_CONFIG.keepAliveTimeoutMs;

  /** Requests this process works on at once; past it, new ones are answered 503 with Retry-After at once. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_CONCURRENT_REQUESTS = DEFAULT_HTTP_CONFIG.maxConcurrentRequests;

  /** The proxies in front: a hop count or their addresses/CIDR ranges (never `true`). Unset: none. */
  @Expose()
  @IsOptional()
  @IsString()
  TRUST_PROXY?: string;

  /** `off` turns every rate limit off, for benchmarks; refused in production. */
  @Expose()
  @IsIn(['on', 'off'])
  RATE_LIMITS = 'on';

  /** Where the rate-limit counters live; unset: in the service's own database. */
  @Expose()
  @IsOptional()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Namespaces the counters' keys in a Redis shared with other deployments. */
  @Expose()
  @Matches(/^[A-Za-z0-9._-]{1,32}$/, { message: 'REDIS_KEY_PREFIX must be 1 to 32 of A-Z a-z 0-9 . _ -' })
  REDIS_KEY_PREFIX = 'kx';

  @RateLimitVariable()
  RATE_LIMIT_REQUESTS_PER_ADDRESS = '600/1m';

  /** How long each user's events are kept before the service prunes them. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  EVENTS_RETENTION_DAYS = 90;

  /** On SIGTERM, readiness turns 503 and the service keeps serving this long before it stops. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_DRAIN_MS = 5000;

  /** From SIGTERM, drain included: a service not stopped by then exits 1. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  SHUTDOWN_TIMEOUT_MS = 15_000;

  /** Expired rows are deleted at most this many a statement, so pruning never holds a request up. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  PRUNE_BATCH_SIZE = 1000;

  /** How often each instance deletes rows that can no longer be used (every table, both services). */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  PRUNE_INTERVAL_SECONDS = 600;

  /** pino's levels; request lines are `info` (a 5xx: `error`). */
  @Expose()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LoggingConfig['level'] = 'info';

  /** `json`, one object a line, whatever NODE_ENV; `npm start` sets `pretty`. */
  @Expose()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT: LoggingConfig['format'] = 'json';

  /** Bearer token a scraper must present for /metrics; unset (and no METRICS_PORT): no /metrics at all. */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(32)
  METRICS_TOKEN?: string;

  /** Serves /metrics on this port only, not on PORT. */
  @Expose()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;
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
  /** PRUNE_BATCH_SIZE: rows deleted per pruning statement. */
  pruneBatchSize: number;
  /** PRUNE_INTERVAL_SECONDS, in milliseconds: how often pruning runs. */
  pruneIntervalMs: number;
  shutdown: ShutdownConfig;
  /** LOG_LEVEL and LOG_FORMAT. */
  logging: LoggingConfig;
  /** METRICS_TOKEN (hashed) and METRICS_PORT. */
  metrics: MetricsConfig;
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
    database: databaseConfig(env, service),
    http: httpConfig(env),
    rateLimits: rateLimitsConfig(env, service, production),
    eventRetentionDays: env.EVENTS_RETENTION_DAYS,
    pruneBatchSize: env.PRUNE_BATCH_SIZE,
    pruneIntervalMs: env.PRUNE_INTERVAL_SECONDS * 1000,
    shutdown: shutdownConfig(env),
    logging: { level: env.LOG_LEVEL, format: env.LOG_FORMAT, name: service },
    metrics: metricsConfig(env),
    keyserverApiKey: resolveKeyserverApiKey({ value: env.KEYSERVER_API_KEY, production, dataRoot: env.DATA_DIR }),
  };
}

function shutdownConfig(env: ServiceEnvironment): ShutdownConfig {
  // The drain is part of the timeout: a drain as long leaves no time to stop.
  if (env.SHUTDOWN_DRAIN_MS >= env.SHUTDOWN_TIMEOUT_MS) {
    throw new ConfigurationError(
      `SHUTDOWN_DRAIN_MS (${env.SHUTDOWN_DRAIN_MS}) must be below SHUTDOWN_TIMEOUT_MS (${env.SHUTDOWN_TIMEOUT_MS}), which counts from SIGTERM, drain included.`,
    );
  }
  return { drainMs: env.SHUTDOWN_DRAIN_MS, timeoutMs: env.SHUTDOWN_TIMEOUT_MS };
}

function databaseConfig(env: ServiceEnvironment, service: string): DatabaseConfig {
  if (env.MIGRATIONS === 'skip' && !env.DATABASE_URL) {
    throw new ConfigurationError(
      'MIGRATIONS=skip needs DATABASE_URL: the embedded database is migrated by the service itself.',
    );
  }
  return {
    url: env.DATABASE_URL,
    dataDir: env.DATA_DIR === IN_MEMORY ? IN_MEMORY : join(env.DATA_DIR, service),
    queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
    runMigrations: env.MIGRATIONS === 'run',
  };
}

function metricsConfig(env: ServiceEnvironment): MetricsConfig {
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
    throw new ConfigurationError(
      `METRICS_PORT must differ from PORT (both ${env.PORT}): the metrics are served apart from the API.`,
    );
  }
  return {
    // Only the hash is kept: a scraper's bearer is hashed the same way and compared in constant time.
    tokenHash: env.METRICS_TOKEN === undefined ? undefined : createHash('sha256').update(env.METRICS_TOKEN).digest(),
    port: env.METRICS_PORT,
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
    maxConcurrentRequests: env.MAX_CONCURRENT_REQUESTS,
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
    pruneBatchSize: env.PRUNE_BATCH_SIZE,
    pruneIntervalMs: env.PRUNE_INTERVAL_SECONDS * 1000,
    // Per service: both may share one Redis, and each has its own ceiling.
    keyPrefix: `${env.REDIS_KEY_PREFIX}:${service}`,
    rules: {
      requestsPerAddress: parseRateLimit('RATE_LIMIT_REQUESTS_PER_ADDRESS', env.RATE_LIMIT_REQUESTS_PER_ADDRESS),
    },
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
