import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pruneInBatches, type PruneReport } from '@app/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** The session challenges aggregate: one answer each, from the session that asked. */
@Injectable()
export class SessionChallengesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores a challenge for the user's current public key and returns that key
   * (to seal the challenge to) with the expiry, in one statement: the key is
   * read and held (FOR KEY SHARE) where it is used. Undefined, with no row
   * written, when the user has no public key or the session has ended.
   */
  async insertForCurrentKey(challenge: {
    id: string;
    sessionId: string;
    userId: string;
    tokenHash: Buffer;
    ttlSeconds: number;
  }): Promise<{ expires_at: Date; public_key: Buffer } | undefined> {
    const [row] = await this.db.query<{ expires_at: Date; public_key: Buffer }[]>(
      `INSERT INTO session_challenges (id, session_id, public_key_id, token_hash, expires_at)
       SELECT $1, s.id, k.id, $4, now() + make_interval(secs => $5::int)
         FROM public_keys k, sessions s WHERE k.user_id = $3 AND s.id = $2 FOR KEY SHARE
       RETURNING expires_at, (SELECT public_key FROM public_keys WHERE id = public_key_id) AS public_key`,
      [challenge.id, challenge.sessionId, challenge.userId, challenge.tokenHash, challenge.ttlSeconds],
    );
    return row;
  }

  /**
   * Spends the session's live, unanswered challenge in the caller's
   * transaction, right or wrong; undefined when there is none to spend.
   */
  async spend(
    tx: EntityManager,
    challengeId: string,
    sessionId: string,
  ): Promise<{ tokenHash: Buffer; publicKeyId: string } | undefined> {
    const [rows] = await tx.query<[{ token_hash: Buffer; public_key_id: string }[], number]>(
      `UPDATE session_challenges SET answered_at = now()
        WHERE id = $1 AND session_id = $2 AND answered_at IS NULL AND expires_at > now()
        RETURNING token_hash, public_key_id`,
      [challengeId, sessionId],
    );
    const [challenge] = rows;
    return challenge && { tokenHash: challenge.token_hash, publicKeyId: challenge.public_key_id };
  }

  deleteExpired(batchSize: number): Promise<PruneReport> {
    return pruneInBatches(this.db, 'session_challenges', 'expires_at < now()', [], batchSize);
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
