// The environment both services run with in the benchmark: what production
// would set, with limits so high that counting happens and nothing trips.
import { randomBytes } from 'node:crypto';

export const SERVER_PORT = 3100;
export const KEYSERVER_PORT = 3101;
export const SERVER = `http://127.0.0.1:${SERVER_PORT}`;
export const KEYSERVER = `http://127.0.0.1:${KEYSERVER_PORT}`;

/**
 * How the services are run (npm start, the Dockerfile): V8's young generation
 * capped at 4 MB a half, two malloc arenas. The baseline runs the same way.
 */
export const NODE_ARGS = ['--max-semi-space-size=4'];

const key = () => `bench:${randomBytes(32).toString('base64url')}`;

/** Every RATE_LIMIT_* the services read, each far above what the benchmark sends. */
const UNREACHABLE_LIMITS = Object.fromEntries(
  [
    'LOGIN_PER_EMAIL_AND_ADDRESS',
    'LOGIN_PER_ADDRESS',
    'LOGIN_PER_EMAIL',
    'LOGIN_PER_DEVICE',
    'REGISTER_PER_ADDRESS',
    'ACCESS_TOKENS_PER_SESSION',
    'CHALLENGES_PER_SESSION',
    'WRONG_ANSWERS_PER_SESSION',
    'KEYS_PER_USER',
    'REQUESTS_PER_ADDRESS',
  ].map((name) => [`RATE_LIMIT_${name}`, '9999999/1m']),
);

/** Secrets made once per run: the project and the baseline read the same rows with them. */
export function benchSecrets() {
  return {
    KEYSERVER_API_KEY: randomBytes(32).toString('base64url'),
    KEYSERVER_STORAGE_KEYS: key(),
    SERVER_VERIFIER_KEYS: key(),
    METRICS_TOKEN: randomBytes(32).toString('base64url'),
  };
}

/**
 * The services' environment for one configuration. `features` turns the
 * defenses and operations work on or off: rate limits (counted in Redis),
 * request logs, metrics.
 */
export function serviceEnvironment({ secrets, databases, redisPrefix, features }) {
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    MALLOC_ARENA_MAX: '2',
    ...secrets,
    ...UNREACHABLE_LIMITS,
    RATE_LIMITS: features.limits ? 'on' : 'off',
    ...(features.limits && {
      REDIS_URL: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: redisPrefix,
    }),
    LOG_FORMAT: 'json',
    LOG_LEVEL: features.logs ? 'info' : 'warn',
    // Stopped between runs: no load balancer to wait for.
    SHUTDOWN_DRAIN_MS: '0',
  };
  // No METRICS_TOKEN: no /metrics (the collectors' cost goes with it).
  if (!features.metrics) delete common.METRICS_TOKEN;
  return {
    server: { ...common, PORT: String(SERVER_PORT), ...(databases && { DATABASE_URL: databases.server }) },
    keyserver: {
      ...common,
      PORT: String(KEYSERVER_PORT),
      SERVER_URL: SERVER,
      ...(databases && { DATABASE_URL: databases.keyserver }),
    },
  };
}
