import { isApiError } from '@app/api-client';
import { DecryptionError } from '@app/crypto';

/** Exit codes, so scripts can tell failures apart. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notSignedIn: 3,
  wrongPassword: 4,
  refused: 5,
  unavailable: 6,
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

/** What any error means to the person at the terminal: one line, no stack. */
export function explain(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DecryptionError) return new CliError('Wrong password: the private key does not decrypt with it.', EXIT.wrongPassword);
  if (isApiError(error)) {
    const body = error.body as { message?: string | string[] } | undefined;
    const detail = Array.isArray(body?.message) ? body.message.join('; ') : (body?.message ?? error.statusText);
    if (error.status === 401) return new CliError(`Not signed in, or the session has ended (${detail}). Run \`login\`.`, EXIT.notSignedIn);
    if (error.status === 403 || error.status === 409) return new CliError(`Refused: ${detail}`, EXIT.refused);
    if (error.status === 503) return new CliError(`Unavailable: ${detail}`, EXIT.unavailable);
    return new CliError(`${error.status} ${error.statusText}: ${detail}`);
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    const cause = (error as { cause?: { code?: string; address?: string; port?: number } }).cause;
    const where = cause?.address ? ` at ${cause.address}:${cause.port}` : '';
    return new CliError(`Cannot reach the service${where} (${cause?.code ?? 'network error'}). Is it running?`, EXIT.unavailable);
  }
  return new CliError(`Unexpected error: ${(error as Error)?.message ?? String(error)}`);
}
