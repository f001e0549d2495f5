import { createHash } from 'node:crypto';
import { HttpException, HttpStatus, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { pruneInBatches, type PruneReport } from '../database/prune-in-batches.js';
import { RetryLaterException } from '../http/retry-later.exception.js';
import { Metrics } from '../metrics/metrics.service.js';
import { RATE_LIMIT_VARIABLES, type RateLimitName, type RateLimitsConfig } from './rate-limit-config.js';

/** One counted event: which limit, for which key (an email, an address, a session...; hashed before it is stored). */
export interface LimitHit {
  limit: RateLimitName;
  key: string;
}

/** What happened to the action a charge was taken for. */
export type Outcome = { ok: true } | { ok: false; error: unknown };

/** The counters one action took, to give back if the action turns out not to count. */
export interface Charge {
  refund(): Promise<void>;
}

/** The table of the database store (created by each service's migrations). */
export const RATE_LIMITS_TABLE = 'rate_limits';
const STORE_ERROR_LOG_INTERVAL_MS = 60_000;
/** What a client is told to wait while the counters cannot be reached. */
const STORE_DOWN_RETRY_MS = 5_000;
/** Answers that never count against a limit: a refused body, a limit, an outage. */
const NEVER_COUNTED = new Set<number>([
  HttpStatus.BAD_REQUEST,
  HttpStatus.TOO_MANY_REQUESTS,
  HttpStatus.SERVICE_UNAVAILABLE,
]);

const NO_CHARGE: Charge = { refund: () => Promise.resolve() };

/** What a 429 says: which kind of limit, never whose counter or how full it is. */
const REFUSALS: Record<RateLimitName, string> = {
  loginPerEmailAndAddress: 'Too many failed logins for this email from this address',
  loginPerAddress: 'Too many failed logins from this address',
  loginPerEmail: 'Too many failed logins for this email',
  loginPerDevice: 'Too many failed logins from this device',
  registerPerAddress: 'Too many registrations from this address',
  accessTokensPerSession: 'Too many access tokens for this session',
  challengesPerSession: 'Too many session challenges for this session',
  wrongAnswersPerSession: 'Too many refused challenge answers for this session',
  keysPerUser: 'Too many reads and writes of this user’s key',
  secretWritesPerUser: 'Too many changes to shared secrets by this user',
  requestsPerAddress: 'Too many requests from this address',
};

/**
 * The counters behind every rate limit, kept by rate-limiter-flexible in Redis
 * (REDIS_URL) or in the service's own database, so that they hold across
 * instances. Fixed windows that start at the first counted event. When the
 * store cannot be reached, limited requests are refused with 503 (fail closed).
 */
@Injectable()
export class RateLimits implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly config: RateLimitsConfig;
  private readonly limiters = new Map<RateLimitName, RateLimiterAbstract>();
  private readonly redis?: Redis;
  private purgeTimer?: NodeJS.Timeout;
  private lastStoreErrorLog = 0;
  private readonly refusals: Counter<'limit'>;

  constructor(
    configService: ConfigService,
    @InjectDataSource() private readonly db: DataSource,
    metrics: Metrics,
  ) {
    this.config = configService.getOrThrow<RateLimitsConfig>('rateLimits');
    this.refusals = metrics.counter({
      name: 'kx_rate_limit_refusals_total',
      help: 'Requests refused with 429, by the limit named in the answer',
      labelNames: ['limit'],
    });
    if (!this.config.enabled) return;
    if (this.config.redisUrl) {
      // No offline queue: while Redis is away a count fails at once (503) instead of waiting.
      this.redis = new Redis(this.config.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
      });
      this.redis.on('error', (error: Error) => this.storeFailed(error));
    }
    for (const [name, rule] of Object.entries(this.config.rules) as [
      RateLimitName,
      { points: number; durationSeconds: number },
    ][]) {
      const options = {
        keyPrefix: `${this.config.keyPrefix}:${name}`,
        points: rule.points,
        duration: rule.durationSeconds,
      };
      this.limiters.set(
        name,
        this.redis
          ? new RateLimiterRedis({ ...options, storeClient: this.redis, rejectIfRedisNotReady: true })
          : new RateLimiterPostgres({
              ...options,
              // The pg pool under TypeORM: the library runs its own atomic upserts on it.
              storeClient: (this.db.driver as unknown as { master: unknown }).master,
              storeType: 'pool',
              tableName: RATE_LIMITS_TABLE,
              tableCreated: true,
              clearExpiredByTimeout: false,
            }),
      );
    }
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.enabled) return;
    if (this.redis) {
      // Not fatal: ioredis keeps reconnecting, and until it does, limited routes answer 503.
      await this.redis.connect().catch((error: Error) => this.storeFailed(error));
    } else {
      this.purgeTimer = setInterval(() => void this.purgeExpired(), this.config.pruneIntervalMs).unref();
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
    this.redis?.disconnect();
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /**
   * Counts one event on every hit before the action it guards, so concurrent
   * attempts cannot all slip in while the first ones run. If any key is
   * already at its limit, nothing is counted and the answer is 429 until that
   * key's window ends.
   */
  async take(hits: LimitHit[]): Promise<Charge> {
    if (!this.config.enabled || hits.length === 0) return NO_CHARGE;
    const counted = hits.map((hit) => ({ limiter: this.limiter(hit.limit), key: hashKey(hit.key) }));
    if (counted.length > 1) {
      // Read first: a request refused by one key must not count, even for a moment, on the others (another
      // user's email, say). A single key needs no read: a count past the limit is refused and given back below.
      const before = await this.store(() => Promise.all(counted.map(({ limiter, key }) => limiter.get(key))));
      this.refuseIfOver(
        hits,
        before.map((res, i) => (res && res.consumedPoints >= counted[i].limiter.points ? res : null)),
      );
    }

    const after = await Promise.allSettled(counted.map(({ limiter, key }) => limiter.consume(key)));
    const charge: Charge = { refund: () => this.give(counted.filter((_, i) => !isStoreError(after[i]))) };
    const storeError = after.find(isStoreError);
    if (storeError) {
      await charge.refund();
      throw this.unavailable((storeError as PromiseRejectedResult).reason);
    }
    // Past the limit (or another request took the last event between the read and the count): this one did not happen.
    const overs = after.map((result) => (result.status === 'rejected' ? (result.reason as RateLimiterRes) : null));
    if (overs.some(Boolean)) {
      await charge.refund();
      this.refuseIfOver(hits, overs);
    }
    return charge;
  }

  /**
   * Takes the hits, runs the action, and gives them back unless `counts` says
   * the outcome counts. Answers 400, 429 and 503 never count.
   */
  async attempt<T>(hits: LimitHit[], action: () => Promise<T>, counts: (outcome: Outcome) => boolean): Promise<T> {
    const charge = await this.take(hits);
    let outcome: Outcome;
    try {
      const result = await action();
      outcome = { ok: true };
      if (!counts(outcome)) await charge.refund();
      return result;
    } catch (error) {
      outcome = { ok: false, error };
      if (!counts(outcome) || (error instanceof HttpException && NEVER_COUNTED.has(error.getStatus())))
        await charge.refund();
      throw error;
    }
  }

  /** Forgets a key's count (a successful login clears its email + address counter). */
  async clear(hit: LimitHit): Promise<void> {
    if (!this.config.enabled) return;
    await this.limiter(hit.limit)
      .delete(hashKey(hit.key))
      .catch((error: unknown) => this.storeFailed(error));
  }

  /** The per-address ceiling: counts every request it sees, refused ones included. */
  async countRequest(address: string): Promise<void> {
    if (!this.config.enabled || !this.limiters.has('requestsPerAddress')) return;
    const limiter = this.limiter('requestsPerAddress');
    try {
      await limiter.consume(hashKey(address));
    } catch (error) {
      if (error instanceof RateLimiterRes) this.refuseIfOver([{ limit: 'requestsPerAddress', key: address }], [error]);
      throw this.unavailable(error);
    }
  }

  /** Whether a bearer credential is exempt from the per-address ceiling. */
  get exemptBearerHash(): Buffer | undefined {
    return this.config.exemptBearerHash;
  }

  private limiter(name: RateLimitName): RateLimiterAbstract {
    const limiter = this.limiters.get(name);
    if (!limiter) throw new Error(`${RATE_LIMIT_VARIABLES[name]} is not configured for this service`);
    return limiter;
  }

  /** 429 for the hits at their limit (`results[i]` is hit i's count, if over), with the longest wait among them. */
  private refuseIfOver(hits: LimitHit[], results: Array<RateLimiterRes | null>): void {
    const over = results.flatMap((res, i) => (res ? [{ limit: hits[i].limit, wait: res.msBeforeNext }] : []));
    if (over.length === 0) return;
    const longest = over.reduce((a, b) => (b.wait > a.wait ? b : a));
    this.refusals.inc({ limit: longest.limit });
    throw new RetryLaterException(
      HttpStatus.TOO_MANY_REQUESTS,
      `${REFUSALS[longest.limit]}: try again later`,
      longest.wait,
    );
  }

  private async give(counted: Array<{ limiter: RateLimiterAbstract; key: string }>): Promise<void> {
    await Promise.all(counted.map(({ limiter, key }) => limiter.reward(key, 1))).catch((error: unknown) =>
      this.storeFailed(error),
    );
  }

  private async store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): RetryLaterException {
    this.storeFailed(error);
    return new RetryLaterException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'Rate limits cannot be checked right now, so this request is refused: try again shortly',
      STORE_DOWN_RETRY_MS,
    );
  }

  /** Logged once a minute at most: an outage would otherwise log every request. */
  private storeFailed(error: unknown): void {
    const now = Date.now();
    if (now - this.lastStoreErrorLog < STORE_ERROR_LOG_INTERVAL_MS) return;
    this.lastStoreErrorLog = now;
    const store = this.redis ? 'Redis (REDIS_URL)' : 'the database';
    // The message only: a Redis error can quote the URL, password included.
    const reason = error instanceof Error ? error.constructor.name : typeof error;
    this.logger.error(
      `The rate-limit counters in ${store} cannot be reached (${reason}): limited requests answer 503 until they can`,
    );
  }

  /** Counters past their window, in batches (the database store only; Redis expires its own). */
  async purgeExpired(): Promise<PruneReport | undefined> {
    return pruneInBatches(this.db, RATE_LIMITS_TABLE, 'expire < $1', [Date.now()], this.config.pruneBatchSize).catch(
      (error: unknown) => {
        this.storeFailed(error);
        return undefined;
      },
    );
  }
}

/** The store keeps no email, address or token: only a hash of the key. */
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 32);
}

function isStoreError(result: PromiseSettledResult<unknown>): boolean {
  return result.status === 'rejected' && !(result.reason instanceof RateLimiterRes);
}
