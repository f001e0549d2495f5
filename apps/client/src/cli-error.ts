import { isApiError } from '@app/api-client';
import { DecryptionError, InvalidInputError, KdfBudgetExceededError, KeyMismatchError } from '@app/crypto';
import { printable } from './printable.js';

/** Exit codes, so scripts can tell failures apart (listed in the usage text). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notSignedIn: 3,
  wrongPassword: 4,
  refused: 5,
  unavailable: 6,
  challengeUnopened: 7,
  keyMismatch: 8,
  kdfOverBudget: 9,
  rateLimited: 10,
  untrusted: 11,
} as const;

/** A failure with a message for the user and the code to exit with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** What any error means to the person at the terminal: one line, no stack, nothing a service sent unfiltered. */
export function explain(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof KeyMismatchError) {
    return new CliError(
      'The stored private key does not belong to your public key: the keyserver holds another key than the one the server confirmed.',
      EXIT.keyMismatch,
    );
  }
  if (error instanceof KdfBudgetExceededError) {
    return new CliError(`Refused to decrypt the stored key: ${printable(error.message)}.`, EXIT.kdfOverBudget);
  }
  if (error instanceof DecryptionError)
    return new CliError('Wrong password: the private key does not decrypt with it.', EXIT.wrongPassword);
  // The client's own inputs are well-formed: this came from a service (a stored key, a challenge).
  if (error instanceof InvalidInputError)
    return new CliError(`A service sent malformed data: ${printable(error.message)}.`);
  if (isApiError(error)) {
    const detail = serviceMessage(error.body, error.statusText);
    if (error.status === 401)
      return new CliError(`Not signed in, or the session has ended (${detail}). Run \`login\`.`, EXIT.notSignedIn);
    if (error.status === 403 || error.status === 409) return new CliError(`Refused: ${detail}`, EXIT.refused);
    if (error.status === 503) return new CliError(`Unavailable: ${detail}`, EXIT.unavailable);
    return new CliError(`${error.status} ${printable(error.statusText ?? '')}: ${detail}`);
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    const cause = (error as { cause?: { code?: string; address?: string; port?: number } }).cause;
    const where = cause?.address ? ` at ${cause.address}:${cause.port}` : '';
    return new CliError(
      `Cannot reach the service${where} (${cause?.code ?? 'network error'}). Is it running?`,
      EXIT.unavailable,
    );
  }
  return new CliError(`Unexpected error: ${printable((error as Error)?.message ?? String(error))}`);
}

/** The message(s) of a service's error body (`{statusCode, error, message}`), printable; else the status text. */
export function serviceMessage(body: unknown, statusText: string | undefined): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : statusText;
  return printable(String(text ?? ''));
}
