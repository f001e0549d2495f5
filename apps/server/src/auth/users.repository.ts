import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { pruneInBatches, type PruneReport, type RequestOrigin } from '@app/platform';
import type { DataSource, EntityManager } from 'typeorm';

/** What a login reads: the verifier in whichever form it is stored, and whether a key is confirmed. */
export interface LoginRow {
  id: string;
  /** Plaintext scrypt verifier: only rows stored before verifiers were sealed. */
  password_hash: string | null;
  verifier_key_id: string | null;
  sealed_verifier: Buffer | null;
  has_key_pair: boolean;
}

export interface LiveSession {
  sessionId: string;
  userId: string;
  secured: boolean;
}

/** A session as its user may see it: never its token. */
export interface SessionRow {
  id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  secured: boolean;
  client_address: string | null;
  user_agent: string | null;
}

export interface SessionView {
  email: string;
  fingerprint: string | null;
  secured: boolean;
}

/**
 * The users aggregate: accounts with their sealed login verifiers, their
 * sessions and their device tokens. Only hashes of tokens are stored.
 */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The new user's id, or undefined when the email is taken. */
  async create(
    user: { id: string; email: string; verifierKeyId: string; sealedVerifier: Buffer },
    tx?: EntityManager,
  ): Promise<string | undefined> {
    const [row] = await (tx ?? this.db.manager).query<{ id: string }[]>(
      `INSERT INTO users (id, email, verifier_key_id, sealed_verifier) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [user.id, user.email, user.verifierKeyId, user.sealedVerifier],
    );
    return row?.id;
  }

  async findForLogin(email: string): Promise<LoginRow | undefined> {
    const [row] = await this.db.query<LoginRow[]>(
      `SELECT u.id, u.password_hash, u.verifier_key_id, u.sealed_verifier,
              EXISTS (SELECT 1 FROM public_keys k WHERE k.user_id = u.id AND k.confirmed_at IS NOT NULL) AS has_key_pair
         FROM users u WHERE u.email = $1`,
      [email],
    );
    return row;
  }

  /** What a check of the current password reads, by user id. */
  async findForPasswordCheck(userId: string): Promise<(LoginRow & { email: string }) | undefined> {
    const [row] = await this.db.query<(LoginRow & { email: string })[]>(
      `SELECT id, email, password_hash, verifier_key_id, sealed_verifier, false AS has_key_pair FROM users WHERE id = $1`,
      [userId],
    );
    return row;
  }

  /** Replaces the login verifier (a password change), in the caller's transaction. */
  async replaceVerifier(tx: EntityManager, userId: string, verifier: { keyId: string; sealed: Buffer }): Promise<void> {
    await tx.query(`UPDATE users SET verifier_key_id = $2, sealed_verifier = $3, password_hash = NULL WHERE id = $1`, [
      userId,
      verifier.keyId,
      verifier.sealed,
    ]);
  }

  /** Deletes the account; its sessions, tokens, challenges, keys and device tokens cascade. */
  async delete(userId: string, tx: EntityManager): Promise<void> {
    await tx.query(`DELETE FROM users WHERE id = $1`, [userId]);
  }

  /** Opens a session in the caller's transaction; answers when it expires. */
  async createSession(
    tx: EntityManager,
    session: { userId: string; tokenHash: Buffer; ttlSeconds: number } & RequestOrigin,
  ): Promise<Date> {
    const [row] = await tx.query<{ expires_at: Date }[]>(
      `INSERT INTO sessions (user_id, token_hash, expires_at, client_address, user_agent)
       VALUES ($1, $2, now() + make_interval(secs => $3::int), $4, $5) RETURNING expires_at`,
      [session.userId, session.tokenHash, session.ttlSeconds, session.clientAddress, session.userAgent],
    );
    return row.expires_at;
  }

  /**
   * The live session a token hash opens, marked as used: in the same round
   * trip, and written at most once a minute (not a new row version per request).
   */
  async findLiveSession(tokenHash: Buffer): Promise<LiveSession | undefined> {
    const [row] = await this.db.query<{ id: string; user_id: string; secured: boolean }[]>(
      `WITH live AS (
         SELECT id, user_id, secured_at IS NOT NULL AS secured, last_used_at
           FROM sessions WHERE token_hash = $1 AND expires_at > now()),
       used AS (
         UPDATE sessions SET last_used_at = now()
          WHERE id = (SELECT id FROM live) AND last_used_at < now() - interval '1 minute')
       SELECT id, user_id, secured FROM live`,
      [tokenHash],
    );
    return row && { sessionId: row.id, userId: row.user_id, secured: row.secured };
  }

  /** The user's live sessions, newest first. */
  async listSessions(userId: string): Promise<SessionRow[]> {
    return this.db.query<SessionRow[]>(
      `SELECT id, created_at, last_used_at, expires_at, secured_at IS NOT NULL AS secured, client_address, user_agent
         FROM sessions WHERE user_id = $1 AND expires_at > now()
        ORDER BY created_at DESC, id`,
      [userId],
    );
  }

  /** Ends one of the user's sessions; false when the user has no such session. Its tokens and challenges cascade. */
  async endSession(userId: string, sessionId: string, tx?: EntityManager): Promise<boolean> {
    const [rows] = await (tx ?? this.db.manager).query<[unknown[], number]>(
      `DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING id`,
      [sessionId, userId],
    );
    return rows.length === 1;
  }

  /** Ends every session of the user but one; answers how many ended. */
  async endOtherSessions(userId: string, keepSessionId: string, tx?: EntityManager): Promise<number> {
    const [rows] = await (tx ?? this.db.manager).query<[unknown[], number]>(
      `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id`,
      [userId, keepSessionId],
    );
    return rows.length;
  }

  /** The session's user, confirmed key and state, if the session still exists. */
  async describeSession(sessionId: string): Promise<SessionView | undefined> {
    const [row] = await this.db.query<SessionView[]>(
      `SELECT u.email, k.fingerprint, s.secured_at IS NOT NULL AS secured
         FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN public_keys k ON k.user_id = u.id AND k.confirmed_at IS NOT NULL
        WHERE s.id = $1`,
      [sessionId],
    );
    return row;
  }

  /** Marks a session secured, inside the caller’s transaction. */
  async secureSession(tx: EntityManager, sessionId: string): Promise<void> {
    await tx.query(`UPDATE sessions SET secured_at = coalesce(secured_at, now()) WHERE id = $1`, [sessionId]);
  }

  async deleteSession(sessionId: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.db.manager).query(`DELETE FROM sessions WHERE id = $1`, [sessionId]);
  }

  /** The device token's id, if it is live and belongs to the user with this email. */
  async findLiveDeviceToken(tokenHash: Buffer, email: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ id: string }[]>(
      `SELECT d.id FROM device_tokens d JOIN users u ON u.id = d.user_id
        WHERE d.token_hash = $1 AND u.email = $2 AND d.expires_at > now()`,
      [tokenHash, email],
    );
    return row?.id;
  }

  /**
   * Stores a device token in the caller's transaction, in place of the one
   * with id `replacing` if given, and keeps only the user's newest `keep`.
   */
  async addDeviceToken(
    tx: EntityManager,
    token: { userId: string; tokenHash: Buffer; ttlDays: number; replacing?: string; keep: number },
  ): Promise<void> {
    if (token.replacing) await tx.query(`DELETE FROM device_tokens WHERE id = $1`, [token.replacing]);
    await tx.query(
      `INSERT INTO device_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(days => $3::int))`,
      [token.userId, token.tokenHash, token.ttlDays],
    );
    await tx.query(
      `DELETE FROM device_tokens WHERE user_id = $1 AND id NOT IN (
         SELECT id FROM device_tokens WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2)`,
      [token.userId, token.keep],
    );
  }

  /** Sessions and device tokens that can no longer be used (their access tokens and challenges cascade). */
  async deleteExpired(batchSize: number): Promise<PruneReport[]> {
    return [
      await pruneInBatches(this.db, 'sessions', 'expires_at < now()', [], batchSize),
      await pruneInBatches(this.db, 'device_tokens', 'expires_at < now()', [], batchSize),
    ];
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }
}
