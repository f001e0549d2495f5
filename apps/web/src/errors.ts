import { isApiError, waitInWords } from '@app/api-client';
import { VaultError } from './vault.js';

/** An answer that says when to come back (429, or 503 with Retry-After), read before the generated client drops the headers. */
export class RetryLaterError extends Error {
  constructor(
    readonly status: number,
    readonly wait: string | undefined,
    readonly serviceMessage: string | undefined,
  ) {
    super(`${status}`);
    this.name = 'RetryLaterError';
  }
}

/** A failure the user can act on, in words. */
export class UserError extends Error {}

/**
 * Wraps fetch once for the app: an answer with Retry-After becomes a
 * RetryLaterError (the generated client's ApiError keeps no headers).
 */
export function installRetryAfter(): void {
  const send = globalThis.fetch.bind(globalThis);
  globalThis.fetch = async (input, init) => {
    const response = await send(input, init);
    const retryAfter = response.headers.get('retry-after');
    if (response.status === 429 || (response.status === 503 && retryAfter)) {
      const body = (await response
        .clone()
        .json()
        .catch(() => undefined)) as { message?: unknown } | undefined;
      const message = typeof body?.message === 'string' ? body.message : undefined;
      throw new RetryLaterError(response.status, waitInWords(retryAfter), message);
    }
    return response;
  };
}

/** What to tell the person, never a raw status. */
export function inWords(error: unknown): string {
  if (error instanceof UserError) return error.message;
  if (error instanceof RetryLaterError) {
    const when = error.wait ? `in ${error.wait}` : 'later';
    return error.status === 429
      ? `Too many attempts. Try again ${when}.`
      : `The service is busy or unavailable right now. Try again ${when}.`;
  }
  if (error instanceof VaultError) {
    // By code: class names do not survive minification.
    if (error.code === 'decryption_failed') return 'Wrong password: your key did not open with it.';
    if (error.code === 'key_mismatch')
      return 'The key stored for you is not the one your account has confirmed. Nothing was changed.';
    if (error.code === 'kdf_budget_exceeded')
      return 'Your key is protected with settings too costly for this browser to compute.';
    if (error.code === 'locked') return 'Your key is locked: unlock it first.';
    return `Your key could not be used: ${error.message}`;
  }
  if (isApiError(error)) {
    const message = (error.body as { message?: unknown } | undefined)?.message;
    const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
    if (error.status === 401) return 'Your session has ended. Log in again.';
    if (error.status === 403) return detail ? `Not allowed: ${detail}` : 'Not allowed.';
    if (error.status === 404) return detail ?? 'Not found.';
    if (error.status === 409) return detail ?? 'That conflicts with a change made elsewhere. Reload and try again.';
    if (error.status === 400) return detail ? `That was not accepted: ${detail}` : 'That was not accepted.';
    if (error.status >= 500) return 'The service failed to answer. Try again shortly.';
    return detail ?? 'The request was refused.';
  }
  if (error instanceof TypeError) return 'Cannot reach the service. Check your connection and try again.';
  return 'Something went wrong. Try again.';
}
