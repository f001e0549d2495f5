import { ConflictException } from '@nestjs/common';

/**
 * A 409 that names the ids involved, beside the usual body: e.g.
 * `{statusCode, error, message, changedUserIds: [...]}`. Every list it is
 * given is sent, empty ones included, so a client can read them without guessing.
 */
export class ConflictWithIdsException extends ConflictException {
  constructor(
    message: string,
    readonly ids: Record<string, string[]>,
  ) {
    super(message);
  }
}
