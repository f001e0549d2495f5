import { CliError, EXIT, serviceMessage } from './cli-error.js';
import { waitInWords } from '@app/api-client';

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Gives every request the generated clients make a deadline, reading the
 * answer included: a service that accepts and never answers would otherwise
 * hold the command forever. The body is read here, inside the deadline,
 * because the generated client swallows errors thrown while it reads one.
 * Answers that say when to come back are turned into errors here too: the
 * generated client's ApiError drops the response headers, Retry-After with them.
 */
export function installRequestTimeout(timeoutMs: number): void {
  const send = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await send(input, { ...init, signal });
      body = await response.arrayBuffer();
    } catch (error) {
      if (deadline.aborted) {
        const origin = new URL(input instanceof Request ? input.url : String(input)).origin;
        throw new CliError(
          `Unavailable: ${origin} did not answer within ${timeoutMs} ms (KX_TIMEOUT_MS).`,
          EXIT.unavailable,
        );
      }
      throw error;
    }
    const { status, statusText, headers } = response;
    refuseRetryLater(status, statusText, headers.get('retry-after'), body);
    return new Response([204, 205, 304].includes(status) ? null : body, { status, statusText, headers });
  };
}

/** A 429 (always), or a 503 that says when to come back: one line with how long to wait. */
function refuseRetryLater(status: number, statusText: string, retryAfter: string | null, body: ArrayBuffer): void {
  const wait = waitInWords(retryAfter);
  if (status === 429)
    throw new CliError(`Too many attempts: try again ${wait ? `in ${wait}` : 'later'}.`, EXIT.rateLimited);
  if (status === 503 && wait) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(body));
    } catch {
      parsed = undefined;
    }
    throw new CliError(`Unavailable: ${serviceMessage(parsed, statusText)} (wait ${wait}).`, EXIT.unavailable);
  }
}

/** KX_TIMEOUT_MS, in milliseconds: a positive whole number. */
export function parseTimeout(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new CliError(`KX_TIMEOUT_MS must be a positive number of milliseconds, not "${value}".`, EXIT.usage);
  return ms;
}
