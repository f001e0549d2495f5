import { QueryFailedError } from 'typeorm';

/**
 * SQLSTATEs that say the database cannot answer now, not that the statement
 * is wrong: connection exceptions (class 08), a statement stopped by
 * `statement_timeout` (57014), a server shutting down or starting (57P01-57P03),
 * and no connection slot left (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57014|57P0[123]|53300)$/;

/** Socket errors on the way to the database. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * What node-postgres says, without a code, when a connection broke or did not
 * answer in time (`connectionTimeoutMillis`, `query_timeout`).
 */
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * Whether an error says that the database is unreachable, stalled or
 * restarting, which a client should retry later (503), rather than a fault in
 * the request or the code (500). Looks through TypeORM's wrapper, `cause` and
 * AggregateError's list.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 4) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code))) return true;
  if (DRIVER_MESSAGES.test(error.message)) return true;
  const inner: unknown[] = [error.cause];
  if (error instanceof QueryFailedError) inner.push(error.driverError);
  if (error instanceof AggregateError) inner.push(...(error.errors as unknown[]));
  return inner.some((cause) => isDatabaseUnavailable(cause, depth + 1));
}
