import { CliError, EXIT } from './cli-error.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Gives every request the generated clients make a deadline, reading the
 * answer included: a service that accepts and never answers would otherwise
 * hold the command forever. The body is read here, inside the deadline,
 * because the generated client swallows errors thrown while it reads one.
 */
export function installRequestTimeout(timeoutMs: number): void {
  const send = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const response = await send(input, { ...init, signal });
      const body = await response.arrayBuffer();
      const { status, statusText, headers } = response;
      return new Response([204, 205, 304].includes(status) ? null : body, { status, statusText, headers });
    } catch (error) {
      if (deadline.aborted) {
        const origin = new URL(input instanceof Request ? input.url : String(input)).origin;
        throw new CliError(`Unavailable: ${origin} did not answer within ${timeoutMs} ms (KX_TIMEOUT_MS).`, EXIT.unavailable);
      }
      throw error;
    }
  };
}

/** KX_TIMEOUT_MS, in milliseconds: a positive whole number. */
export function parseTimeout(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new CliError(`KX_TIMEOUT_MS must be a positive number of milliseconds, not "${value}".`, EXIT.usage);
  return ms;
}
