import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pruneInBatches, type PruneReport } from '@app/platform';
import type { DataSource } from 'typeorm';

/** An access token just spent, with what the keyserver needs to know about its user. */
export interface SpentToken {
  user_id: string;
  /** Unexpired, and its session still live. */
  live: boolean;
  session_secured: boolean;
  key_confirmed: boolean;
  fingerprint: string | null;
  /** Null until the key is confirmed. */
  key_version: number | null;
  /** The committed change that made key_version, if any. */
  committed_change_id: string | null;
  committed_base_version: number | null;
}

/** The access tokens aggregate: one-time tokens, each bound to the session that asked for it. */
@Injectable()
export class AccessTokensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** When the new token expires; undefined when the session has ended. */
  async insertForSession(token: {
    tokenHash: Buffer;
    sessionId: string;
    ttlSeconds: number;
  }): Promise<Date | undefined> {
    const [row] = await this.db.query<{ expires_at: Date }[]>(
      // From the session row itself, so a logout racing this request leaves nothing behind.
      `INSERT INTO access_tokens (token_hash, user_id, session_id, expires_at)
       SELECT $1, s.user_id, s.id, now() + make_interval(secs => $3::int)
         FROM sessions s WHERE s.id = $2 FOR KEY SHARE
       RETURNING expires_at`,
      [token.tokenHash, token.sessionId, token.ttlSeconds],
    );
    return row?.expires_at;
  }

  /**
   * Spends the token, whatever happens next: one statement marks it, so of any
   * number of concurrent spends (on any instance) exactly one sees it unspent.
   * One round trip for the spend, the session's life, the key's state and its last committed change.
   */
  async spend(tokenHash: Buffer): Promise<SpentToken | undefined> {
    const [token] = await this.db.query<SpentToken[]>(
      `WITH spent AS (
         UPDATE access_tokens SET spent_at = now()
          WHERE token_hash = $1 AND spent_at IS NULL
          RETURNING user_id, session_id, expires_at > now() AS live)
       SELECT spent.user_id,
              spent.live AND s.id IS NOT NULL AS live,
              s.secured_at IS NOT NULL AS session_secured,
              k.confirmed_at IS NOT NULL AS key_confirmed,
              k.fingerprint,
              k.key_version,
              c.id AS committed_change_id,
              c.base_version AS committed_base_version
         FROM spent
         LEFT JOIN sessions s ON s.id = spent.session_id AND s.expires_at > now()
         LEFT JOIN public_keys k ON k.user_id = spent.user_id
         LEFT JOIN key_changes c
           ON c.user_id = spent.user_id AND c.state = 'committed' AND c.base_version = k.key_version - 1`,
      [tokenHash],
    );
    return token;
  }

  deleteExpired(batchSize: number): Promise<PruneReport> {
    return pruneInBatches(this.db, 'access_tokens', 'expires_at < now()', [], batchSize);
  }
}
