/** A session of the user's: never its token. */
export class SessionDto {
  /**
   * The session's id (not its token): what `endSession` takes.
   * @example 6f1c2b7e-3d4a-4f5b-9c8d-7e6f5a4b3c2d
   */
  id: string;
  /**
   * ISO 8601 UTC.
   * @example 2026-12-01T09:00:00.000Z
   */
  createdAt: string;
  /**
   * When it last authenticated a request, to the minute. ISO 8601 UTC.
   * @example 2026-12-01T10:41:00.000Z
   */
  lastUsedAt: string;
  /**
   * ISO 8601 UTC.
   * @example 2026-12-01T21:00:00.000Z
   */
  expiresAt: string;
  /**
   * Whether it answered a session challenge (proved it holds the private key).
   * @example true
   */
  secured: boolean;
  /**
   * The address it logged in from, as the service saw it (TRUST_PROXY).
   * @example 203.0.113.7
   */
  clientAddress: string | null;
  /**
   * The User-Agent it logged in with, at most 256 characters.
   * @example keyexchange-client/0.1.0
   */
  userAgent: string | null;
  /**
   * Whether this is the session making the request.
   * @example true
   */
  current: boolean;
}

export class SessionsResponseDto {
  /**
   * The user's live sessions, newest first.
   * @example [{"id":"6f1c2b7e-3d4a-4f5b-9c8d-7e6f5a4b3c2d","createdAt":"2026-12-01T09:00:00.000Z","lastUsedAt":"2026-12-01T10:41:00.000Z","expiresAt":"2026-12-01T21:00:00.000Z","secured":true,"clientAddress":"203.0.113.7","userAgent":"keyexchange-client/0.1.0","current":true}]
   */
  items: SessionDto[];
}
