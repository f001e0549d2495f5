import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SecretRole } from './dto/secret-requests.dto.js';

export interface SecretRow {
  id: string;
  name: string | null;
  current_version: number | null;
  rotation_required: boolean;
  created_by: string;
  create_digest: Buffer;
  deleted_at: Date | null;
}

export interface MemberRow {
  user_id: string;
  role: SecretRole;
}

export interface NewEnvelope {
  userId: string;
  keyFingerprint: string;
  enc: Buffer;
  ciphertext: Buffer;
}

interface EnvelopeRow {
  sender_id: string;
  enc: Buffer;
  ciphertext: Buffer;
  commitment: string;
}

export const SECRETS_PAGE_SIZE = 50;

/**
 * The shared-secrets aggregate: secrets, their versions, members and
 * envelopes. Every write runs in a transaction that first locks the secret's
 * row (lockSecret), so versions and membership change one at a time.
 */
@Injectable()
export class SecretsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The secret's row, locked for the rest of the transaction; undefined if its id was never used. */
  async lockSecret(tx: EntityManager, secretId: string): Promise<SecretRow | undefined> {
    const [row] = await tx.query<SecretRow[]>(
      `SELECT id, name, current_version, rotation_required, created_by, create_digest, deleted_at
         FROM secrets WHERE id = $1 FOR UPDATE`,
      [secretId],
    );
    return row;
  }

  /** False when the id was ever used (a deleted secret's included). */
  async insertSecret(
    tx: EntityManager,
    secret: { id: string; name: string; createdBy: string; createDigest: Buffer },
  ): Promise<boolean> {
    const rows = await tx.query<{ id: string }[]>(
      `INSERT INTO secrets (id, name, current_version, created_by, create_digest) VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [secret.id, secret.name, secret.createdBy, secret.createDigest],
    );
    return rows.length === 1;
  }

  async insertVersion(tx: EntityManager, secretId: string, version: number, commitment: string): Promise<void> {
    await tx.query(`INSERT INTO secret_versions (secret_id, version, commitment) VALUES ($1, $2, $3)`, [
      secretId,
      version,
      commitment,
    ]);
  }

  async insertMembers(
    tx: EntityManager,
    secretId: string,
    members: { userId: string; role: SecretRole }[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO secret_members (secret_id, user_id, role)
       SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m (user_id, role)`,
      [secretId, members.map((m) => m.userId), members.map((m) => m.role)],
    );
  }

  async insertEnvelopes(
    tx: EntityManager,
    secretId: string,
    version: number,
    senderId: string,
    envelopes: NewEnvelope[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO secret_envelopes (secret_id, version, user_id, sender_id, key_fingerprint, enc, ciphertext)
       SELECT $1, $2, e.user_id, $3, e.key_fingerprint, e.enc, e.ciphertext
         FROM unnest($4::uuid[], $5::text[], $6::bytea[], $7::bytea[]) AS e (user_id, key_fingerprint, enc, ciphertext)`,
      [
        secretId,
        version,
        senderId,
        envelopes.map((e) => e.userId),
        envelopes.map((e) => e.keyFingerprint),
        envelopes.map((e) => e.enc),
        envelopes.map((e) => e.ciphertext),
      ],
    );
  }

  /**
   * Each user's confirmed key's fingerprint (users with none, or a pending
   * one, are left out). Each user's row is share-locked to the end of the
   * transaction, as the envelope and member rows referring to it need: an
   * account deleted meanwhile is waited for and then missing (a 409), never a
   * foreign key failing at the insert.
   */
  async confirmedFingerprints(tx: EntityManager, userIds: string[]): Promise<Map<string, string>> {
    const rows = await tx.query<{ user_id: string; fingerprint: string }[]>(
      `SELECT k.user_id, k.fingerprint
         FROM public_keys k JOIN users u ON u.id = k.user_id
        WHERE k.user_id = ANY($1::uuid[]) AND k.confirmed_at IS NOT NULL
        FOR KEY SHARE OF u`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, row.fingerprint]));
  }

  async members(tx: EntityManager, secretId: string): Promise<MemberRow[]> {
    return tx.query<MemberRow[]>(`SELECT user_id, role FROM secret_members WHERE secret_id = $1 ORDER BY user_id`, [
      secretId,
    ]);
  }

  /** The user's role in a live secret, or undefined when not a member (or no such secret). */
  async roleOf(secretId: string, userId: string): Promise<SecretRole | undefined> {
    const [row] = await this.db.query<{ role: SecretRole }[]>(
      `SELECT role FROM secret_members WHERE secret_id = $1 AND user_id = $2`,
      [secretId, userId],
    );
    return row?.role;
  }

  /** Makes `version` current; a new version clears rotationRequired. */
  async setCurrentVersion(tx: EntityManager, secretId: string, version: number): Promise<void> {
    await tx.query(`UPDATE secrets SET current_version = $2, rotation_required = false WHERE id = $1`, [
      secretId,
      version,
    ]);
  }

  async setRotationRequired(tx: EntityManager, secretId: string): Promise<void> {
    await tx.query(`UPDATE secrets SET rotation_required = true WHERE id = $1`, [secretId]);
  }

  /** Takes the member out, with every envelope it had: from now on it gets 404 for every version. */
  async deleteMember(tx: EntityManager, secretId: string, userId: string): Promise<void> {
    await tx.query(`DELETE FROM secret_envelopes WHERE secret_id = $1 AND user_id = $2`, [secretId, userId]);
    await tx.query(`DELETE FROM secret_members WHERE secret_id = $1 AND user_id = $2`, [secretId, userId]);
  }

  async setRole(tx: EntityManager, secretId: string, userId: string, role: SecretRole): Promise<void> {
    await tx.query(`UPDATE secret_members SET role = $3 WHERE secret_id = $1 AND user_id = $2`, [
      secretId,
      userId,
      role,
    ]);
  }

  /** Every version, member and envelope gone; the row stays, emptied, so the id is never used again. */
  async tombstone(tx: EntityManager, secretId: string): Promise<void> {
    await tx.query(`DELETE FROM secret_members WHERE secret_id = $1`, [secretId]);
    await tx.query(`DELETE FROM secret_versions WHERE secret_id = $1`, [secretId]);
    await tx.query(
      `UPDATE secrets SET deleted_at = now(), name = NULL, current_version = NULL, rotation_required = false
        WHERE id = $1`,
      [secretId],
    );
  }

  /** The user's secrets, by id, a page at a time. */
  async list(
    userId: string,
    after: string | undefined,
  ): Promise<
    {
      id: string;
      name: string;
      current_version: number;
      role: SecretRole;
      member_count: number;
      rotation_required: boolean;
    }[]
  > {
    return this.db.query(
      `SELECT s.id, s.name, s.current_version, m.role, s.rotation_required,
              (SELECT count(*)::int FROM secret_members o WHERE o.secret_id = s.id) AS member_count
         FROM secret_members m JOIN secrets s ON s.id = m.secret_id
        WHERE m.user_id = $1 AND ($2::uuid IS NULL OR s.id > $2::uuid)
        ORDER BY s.id
        LIMIT ${SECRETS_PAGE_SIZE + 1}`,
      [userId, after ?? null],
    );
  }

  /** The user's envelope of a version, with the version's commitment; undefined when it has none. */
  async envelope(secretId: string, version: number, userId: string): Promise<EnvelopeRow | undefined> {
    const [row] = await this.db.query<EnvelopeRow[]>(
      `SELECT e.sender_id, e.enc, e.ciphertext, v.commitment
         FROM secret_envelopes e JOIN secret_versions v USING (secret_id, version)
        WHERE e.secret_id = $1 AND e.version = $2 AND e.user_id = $3`,
      [secretId, version, userId],
    );
    return row;
  }

  /** A live secret as its member sees it: name, current version, and who holds it under which key. */
  async describe(secretId: string): Promise<
    | {
        name: string;
        current_version: number;
        rotation_required: boolean;
        members: (MemberRow & { key_fingerprint: string })[];
      }
    | undefined
  > {
    const [secret] = await this.db.query<{ name: string; current_version: number; rotation_required: boolean }[]>(
      `SELECT name, current_version, rotation_required FROM secrets WHERE id = $1 AND deleted_at IS NULL`,
      [secretId],
    );
    if (!secret) return undefined;
    const members = await this.db.query<(MemberRow & { key_fingerprint: string })[]>(
      `SELECT m.user_id, m.role, e.key_fingerprint
         FROM secret_members m JOIN secret_envelopes e
           ON e.secret_id = m.secret_id AND e.user_id = m.user_id AND e.version = $2
        WHERE m.secret_id = $1 ORDER BY m.user_id`,
      [secretId, secret.current_version],
    );
    return { ...secret, members };
  }

  /**
   * The user's memberships, each with how many owners and members its secret
   * has (account deletion), every secret locked first. Counted in a second
   * statement: one that waited for a lock still sees the rows as they were
   * when it began (READ COMMITTED), so a co-owner who left meanwhile would
   * still count.
   */
  async membershipsOf(
    tx: EntityManager,
    userId: string,
  ): Promise<{ secret_id: string; role: SecretRole; owners: number; members: number }[]> {
    const locked = await tx.query<{ id: string }[]>(
      `SELECT s.id FROM secrets s
        WHERE s.id IN (SELECT secret_id FROM secret_members WHERE user_id = $1)
        ORDER BY s.id
        FOR UPDATE`,
      [userId],
    );
    return tx.query(
      `SELECT m.secret_id, m.role,
              (SELECT count(*)::int FROM secret_members o WHERE o.secret_id = m.secret_id AND o.role = 'owner') AS owners,
              (SELECT count(*)::int FROM secret_members o WHERE o.secret_id = m.secret_id) AS members
         FROM secret_members m
        WHERE m.user_id = $1 AND m.secret_id = ANY($2::uuid[])
        ORDER BY m.secret_id`,
      [userId, locked.map((row) => row.id)],
    );
  }

  /**
   * Locks the user's row (account deletion, after its secrets): a secret being
   * shared with the user holds a share lock on it until it commits, so from
   * here on `secretIdsOf` sees every membership there will be.
   */
  async lockUser(tx: EntityManager, userId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
  }

  async secretIdsOf(tx: EntityManager, userId: string): Promise<string[]> {
    const rows = await tx.query<{ secret_id: string }[]>(
      `SELECT secret_id FROM secret_members WHERE user_id = $1 ORDER BY secret_id`,
      [userId],
    );
    return rows.map((row) => row.secret_id);
  }
}
