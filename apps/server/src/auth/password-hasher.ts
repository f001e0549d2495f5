import { HttpStatus, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { RetryLaterException } from '@app/platform';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ServerConfig } from '../core/server-config.js';

// scrypt N=2^17 r=8 p=1 (128 MiB): runs on libuv's thread pool, so a login
// never blocks the event loop. The parameters are stored with each hash.
const COST_LOG2 = 17;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const PREFIX = '$scrypt$';
/** A first guess at one hash's time, until one has been measured. */
const INITIAL_HASH_MS = 200;

function derive(secret: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** ln, r, p, maxmem: 2 * 128 * 2 ** ln * r };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/**
 * Slow hash of the login secret: the only form in which the server keeps it.
 * Work that hashes runs through `inTurn`: a few at a time
 * (LOGIN_HASH_CONCURRENCY) with a bounded queue (LOGIN_HASH_QUEUE), so a
 * flood of logins leaves the CPU and the database to every other request;
 * past the queue a login is refused with 503 at once, before any query.
 */
@Injectable()
export class PasswordHasher {
  // Verified against for unknown emails, so both failures cost the same.
  private readonly decoy = this.derivePhc(randomBytes(32).toString('base64url'));
  private readonly slots: LimitFunction;
  private readonly queue: number;
  private readonly concurrency: number;
  private averageHashMs = INITIAL_HASH_MS;

  constructor(config: ConfigService<ServerConfig, true>) {
    ({ concurrency: this.concurrency, queue: this.queue } = config.get('loginHashing', { infer: true }));
    this.slots = pLimit(this.concurrency);
  }

  /** Hashes now: call it inside `inTurn`. */
  hash(secret: string): Promise<string> {
    return this.derivePhc(secret);
  }

  /**
   * Whether `secret` matches `stored`; without `stored` (unknown email), the
   * decoy is hashed and the answer is false. Hashes now: call it inside `inTurn`.
   */
  async verify(secret: string, stored: string | undefined): Promise<boolean> {
    const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored ?? (await this.decoy));
    if (!match) return false;
    const [, ln, r, p, salt, key] = match;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(ln), Number(r), Number(p));
    return actual.length === expected.length && timingSafeEqual(actual, expected) && stored !== undefined;
  }

  private async derivePhc(secret: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(secret, salt, COST_LOG2, BLOCK_SIZE, PARALLELISM);
    return `${PREFIX}ln=${COST_LOG2},r=${BLOCK_SIZE},p=${PARALLELISM}$${salt.toString('base64url')}$${key.toString('base64url')}`;
  }

  /** Runs `work` (a lookup and its hash) when a slot is free, or refuses it with 503 if the queue is full. */
  inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.slots.activeCount >= this.concurrency && this.slots.pendingCount >= this.queue) {
      // About when the queue ahead will have drained.
      const waitMs = ((this.slots.pendingCount + this.slots.activeCount) * this.averageHashMs) / this.concurrency;
      throw new RetryLaterException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'Too many sign-ins are being checked right now: try again shortly',
        waitMs,
      );
    }
    return this.slots(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        this.averageHashMs = 0.8 * this.averageHashMs + 0.2 * (performance.now() - started);
      }
    });
  }
}
