import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ConfigurationError } from '../config/load-config.js';

/** Every limit either service applies (README: "Rate limits"). */
export const RATE_LIMIT_VARIABLES = {
  loginPerEmailAndAddress: 'RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS',
  loginPerAddress: 'RATE_LIMIT_LOGIN_PER_ADDRESS',
  loginPerEmail: 'RATE_LIMIT_LOGIN_PER_EMAIL',
  loginPerDevice: 'RATE_LIMIT_LOGIN_PER_DEVICE',
  registerPerAddress: 'RATE_LIMIT_REGISTER_PER_ADDRESS',
  accessTokensPerSession: 'RATE_LIMIT_ACCESS_TOKENS_PER_SESSION',
  challengesPerSession: 'RATE_LIMIT_CHALLENGES_PER_SESSION',
  wrongAnswersPerSession: 'RATE_LIMIT_WRONG_ANSWERS_PER_SESSION',
  keysPerUser: 'RATE_LIMIT_KEYS_PER_USER',
  secretWritesPerUser: 'RATE_LIMIT_SECRET_WRITES_PER_USER',
  requestsPerAddress: 'RATE_LIMIT_REQUESTS_PER_ADDRESS',
} as const;

export type RateLimitName = keyof typeof RATE_LIMIT_VARIABLES;

/** `<count>/<window>`, the window a whole number of seconds, minutes, hours or days. */
export const RATE_LIMIT_FORMAT = /^([1-9]\d{0,6})\/([1-9]\d{0,5})([smhd])$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const MAX_WINDOW_SECONDS = 366 * 86_400;

export interface RateLimitRule {
  /** Counted events allowed in one window. */
  points: number;
  /** The window's length, from its first counted event. */
  durationSeconds: number;
}

export interface RateLimitsConfig {
  /** False only with RATE_LIMITS=off (refused in production). */
  enabled: boolean;
  /** The counters' store: Redis when set, else the service's own database. */
  redisUrl?: string;
  /** Namespaces the keys in a Redis shared with other deployments. */
  keyPrefix: string;
  rules: Partial<Record<RateLimitName, RateLimitRule>>;
  /**
   * SHA-256 of a bearer credential exempt from the per-address ceiling: the
   * keyserver API key on the server, whose every validate call comes from one address.
   */
  exemptBearerHash?: Buffer;
  /** PRUNE_BATCH_SIZE, for the database store's expired counters. */
  pruneBatchSize: number;
  /** PRUNE_INTERVAL_SECONDS, in milliseconds, for the same. */
  pruneIntervalMs: number;
}

/** Parses `5/15m`; the message names the variable. */
export function parseRateLimit(variable: string, value: string): RateLimitRule {
  const match = RATE_LIMIT_FORMAT.exec(value.trim());
  const durationSeconds = match ? Number(match[2]) * UNIT_SECONDS[match[3] as keyof typeof UNIT_SECONDS] : 0;
  if (!match || durationSeconds > MAX_WINDOW_SECONDS) {
    throw new ConfigurationError(
      `${variable} must be <count>/<window> with a window in s, m, h or d of at most a year (e.g. 5/15m, 50/24h): "${value}" is not.`,
    );
  }
  return { points: Number(match[1]), durationSeconds };
}

/** The rules a service applies, from the variables in `env` (each with its default). */
export function parseRateLimits<N extends RateLimitName>(env: Record<N, string>): Record<N, RateLimitRule> {
  const rules = {} as Record<N, RateLimitRule>;
  for (const name of Object.keys(env) as N[]) rules[name] = parseRateLimit(RATE_LIMIT_VARIABLES[name], env[name]);
  return rules;
}

/**
 * Express's `trust proxy` from TRUST_PROXY: unset, no proxy (the socket's
 * address); a number, that many proxies in front; or a list of the proxies'
 * addresses and CIDR ranges. Never `true`, which would let any client name its
 * own address in X-Forwarded-For.
 */
export type TrustProxy = false | number | string[];

export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '') return false;
  const trimmed = value.trim();
  if (/^\d{1,2}$/.test(trimmed)) return Number(trimmed) === 0 ? false : Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const valid =
      rest.length === 0 &&
      isIP(address) !== 0 &&
      (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128)));
    if (!valid) {
      throw new ConfigurationError(
        `TRUST_PROXY must be the number of proxies in front of the service (e.g. 1) or a comma-separated list of ` +
          `their addresses or CIDR ranges (e.g. 10.0.0.0/8,fd00::/8); "true" is refused: "${entry}" is not one.`,
      );
    }
  }
  return entries;
}

/**
 * The address a client is counted under: an IPv4-mapped IPv6 address as the
 * IPv4 it is, and an IPv6 address by its /64, the smallest block a host
 * usually gets (one host can draw endless addresses from it).
 */
export function countedAddress(forwarded: string | undefined): string {
  const address = shownAddress(forwarded);
  if (address === null) return 'unknown';
  if (isIP(address) === 4) return address;
  const parts = ipaddr.IPv6.parse(address)
    .parts.slice(0, 4)
    .map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}

/**
 * The client's address as a user is shown it: an IPv4-mapped IPv6 address as
 * IPv4, an IPv6 address whole; null when there is none to show.
 */
export function shownAddress(forwarded: string | undefined): string | null {
  // Some proxies forward `a.b.c.d:port` or `[v6]:port`: the port is not part of the client.
  const address =
    forwarded &&
    (/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(forwarded)?.[1] ??
      /^\[([^\]]+)\]:\d{1,5}$/.exec(forwarded)?.[1] ??
      forwarded);
  // Node's strict forms only: ipaddr.js would also read `1` or `0x7f000001` as an IPv4 address.
  if (!address || isIP(address) === 0) return null;
  return ipaddr.process(address).toString();
}

/**
 * The database store's table, as rate-limiter-flexible reads and writes it
 * (`expire` in epoch milliseconds); each service's migrations create it.
 */
export const CREATE_RATE_LIMITS_TABLE = `
  CREATE TABLE rate_limits (
    key varchar(255) PRIMARY KEY,
    points integer NOT NULL DEFAULT 0,
    expire bigint
  )`;
