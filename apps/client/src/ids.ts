import { CliError, EXIT } from './cli-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * An id from the command line, checked before any request: the generated
 * clients put ids into paths with encodeURI, so `../../user/me` would reach
 * another route with the session's token.
 */
export function requireUuid(option: string, value: string | undefined): string {
  if (!value) throw new CliError(`${option} <id> is required.`, EXIT.usage);
  if (!isUuid(value))
    throw new CliError(
      `${option} must be a user id (a UUID such as 3f2b8c1e-5d4a-4e7b-9c0d-1a2b3c4d5e6f).`,
      EXIT.usage,
    );
  return value.toLowerCase();
}
