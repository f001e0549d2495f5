import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pruneInBatches, type PruneReport } from '@app/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** What the server has decided about a key change. */
export interface KeyChangeRecord {
  user_id: string;
  state: 'committed' | 'abandoned';
  base_version: number | null;
  session_id: string | null;
  created_at: Date;
}

/** The key changes aggregate: which staged changes (the keyserver's ids) are committed or abandoned. */
@Injectable()
export class KeyChangesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(keyChangeId: string, tx?: EntityManager): Promise<KeyChangeRecord | undefined> {
    const [row] = await (tx ?? this.db.manager).query<KeyChangeRecord[]>(
      `SELECT user_id, state, base_version, session_id, created_at FROM key_changes WHERE id = $1`,
      [keyChangeId],
    );
    return row;
  }

  /**
   * Records the change as committed from this session, in the caller's
   * transaction; answers when, or undefined when the id is recorded already
   * (abandoned meanwhile): the primary key decides between the two.
   */
  async recordCommitted(
    tx: EntityManager,
    change: { keyChangeId: string; userId: string; baseVersion: number; sessionId: string },
  ): Promise<Date | undefined> {
    const [row] = await tx.query<{ created_at: Date }[]>(
      `INSERT INTO key_changes (id, user_id, state, base_version, session_id) VALUES ($1, $2, 'committed', $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING created_at`,
      [change.keyChangeId, change.userId, change.baseVersion, change.sessionId],
    );
    return row?.created_at;
  }

  /**
   * Records the user's change as abandoned unless it is committed; answers
   * whether it is now abandoned, and whether this call recorded it.
   */
  async recordAbandoned(
    tx: EntityManager,
    userId: string,
    keyChangeId: string,
  ): Promise<{ abandoned: boolean; newly: boolean }> {
    const [inserted] = await tx.query<unknown[]>(
      `INSERT INTO key_changes (id, user_id, state) VALUES ($1, $2, 'abandoned') ON CONFLICT (id) DO NOTHING RETURNING id`,
      [keyChangeId, userId],
    );
    if (inserted) return { abandoned: true, newly: true };
    const existing = await this.find(keyChangeId, tx);
    return { abandoned: existing?.user_id === userId && existing.state === 'abandoned', newly: false };
  }

  /**
   * Committed changes before the last one of each user: only the last can
   * still be retried or applied. Abandoned ones stay: the record is what
   * stops a receipt the keyserver issued from ever being committed.
   */
  deleteSuperseded(batchSize: number): Promise<PruneReport> {
    return pruneInBatches(
      this.db,
      'key_changes',
      `state = 'committed' AND EXISTS (SELECT 1 FROM key_changes later
         WHERE later.user_id = key_changes.user_id AND later.state = 'committed' AND later.base_version > key_changes.base_version)`,
      [],
      batchSize,
    );
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
