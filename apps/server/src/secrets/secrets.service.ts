import { createHash, timingSafeEqual } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import type { ServerEventType } from '@app/contracts';
import { ConflictWithIdsException, EventsRepository, RateLimits, type RequestOrigin } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { serverEvent } from '../events/server-events.js';
import type {
  AddSecretMemberRequestDto,
  CreateSecretRequestDto,
  EnvelopeDto,
  NewSecretVersionRequestDto,
  SecretRole,
  SetSecretMemberRoleRequestDto,
} from './dto/secret-requests.dto.js';
import type {
  SecretResponseDto,
  SecretsPageDto,
  SecretVersionRefDto,
  SecretVersionResponseDto,
} from './dto/secret-responses.dto.js';
import {
  type MemberRow,
  type NewEnvelope,
  type SecretRow,
  SECRETS_PAGE_SIZE,
  SecretsRepository,
} from './secrets.repository.js';

/** The same answer for an unknown id, a deleted secret and one the caller is not a member of. */
const NOT_FOUND = 'No such secret';

/**
 * The rules of shared secrets (PROTOCOL.md 12). The server checks who may do
 * what, that every version's envelopes cover exactly its members, each sealed
 * to the member's confirmed key; it never sees a secret.
 */
@Injectable()
export class SecretsService {
  constructor(
    private readonly secrets: SecretsRepository,
    private readonly events: EventsRepository,
    private readonly limits: RateLimits,
  ) {}

  create(
    session: AuthenticatedSession,
    dto: CreateSecretRequestDto,
    origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.write(session, async (tx) => {
      const ids = uniqueRecipients(dto.envelopes);
      if (!ids.includes(session.userId)) {
        throw new BadRequestException('envelopes must include one for the caller, who is the secret’s first owner');
      }
      const digest = digestOf(dto);
      const created = await this.secrets.insertSecret(tx, {
        id: dto.secretId,
        name: dto.name,
        createdBy: session.userId,
        createDigest: digest,
      });
      if (!created) {
        // A retry of the very same request is answered as the first was; anything else finds the id taken.
        const existing = await this.secrets.lockSecret(tx, dto.secretId);
        if (existing && !existing.deleted_at && isRetryOf(existing, session.userId, digest)) {
          return { secretId: dto.secretId, version: 1 };
        }
        throw new ConflictException('This secret id is already used (deleted secrets’ ids included): draw another');
      }
      await this.checkKeys(tx, dto.envelopes);
      await this.secrets.insertVersion(tx, dto.secretId, 1, dto.commitment);
      await this.secrets.insertMembers(
        tx,
        dto.secretId,
        ids.map((userId) => ({ userId, role: userId === session.userId ? 'owner' : 'member' })),
      );
      await this.secrets.insertEnvelopes(tx, dto.secretId, 1, session.userId, dto.envelopes.map(toNewEnvelope));
      await this.record(tx, ids, 'secret.created', origin);
      return { secretId: dto.secretId, version: 1 };
    });
  }

  async list(session: AuthenticatedSession, cursor?: string): Promise<SecretsPageDto> {
    const rows = await this.secrets.list(session.userId, cursor);
    const page = rows.slice(0, SECRETS_PAGE_SIZE);
    return {
      items: page.map((row) => ({
        secretId: row.id,
        name: row.name,
        version: row.current_version,
        role: row.role,
        memberCount: row.member_count,
        rotationRequired: row.rotation_required,
      })),
      nextCursor: rows.length > SECRETS_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
    };
  }

  async get(session: AuthenticatedSession, secretId: string): Promise<SecretResponseDto> {
    if (!(await this.secrets.roleOf(secretId, session.userId))) throw new NotFoundException(NOT_FOUND);
    const secret = await this.secrets.describe(secretId);
    if (!secret) throw new NotFoundException(NOT_FOUND);
    const own = await this.ownEnvelope(session, secretId, secret.current_version);
    return {
      ...own,
      name: secret.name,
      members: secret.members.map((m) => ({ userId: m.user_id, role: m.role, keyFingerprint: m.key_fingerprint })),
      versionCount: secret.current_version,
      rotationRequired: secret.rotation_required,
    };
  }

  /** An older version the caller was a member of: data encrypted under it stays readable. */
  async getVersion(
    session: AuthenticatedSession,
    secretId: string,
    version: number,
  ): Promise<SecretVersionResponseDto> {
    if (!(await this.secrets.roleOf(secretId, session.userId))) throw new NotFoundException(NOT_FOUND);
    return this.ownEnvelope(session, secretId, version);
  }

  addMember(
    session: AuthenticatedSession,
    secretId: string,
    dto: AddSecretMemberRequestDto,
    origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.write(session, async (tx) => {
      const { version, members } = await this.lockedAsOwner(tx, session, secretId);
      if (dto.version !== version) {
        throw new ConflictException(`version ${dto.version} is not the current version (${version})`);
      }
      if (members.some((m) => m.user_id === dto.userId)) throw new ConflictException('This user is already a member');
      await this.checkKeys(tx, [dto]);
      await this.secrets.insertMembers(tx, secretId, [{ userId: dto.userId, role: 'member' }]);
      await this.secrets.insertEnvelopes(tx, secretId, dto.version, session.userId, [toNewEnvelope(dto)]);
      await this.record(tx, [session.userId, dto.userId], 'secret.member-added', origin);
      return { secretId, version: dto.version };
    });
  }

  /** Removal and rotation in one step: the removed member never receives the new version. */
  removeMember(
    session: AuthenticatedSession,
    secretId: string,
    userId: string,
    dto: NewSecretVersionRequestDto,
    origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.write(session, async (tx) => {
      const { version, members } = await this.lockedAsOwner(tx, session, secretId);
      if (userId === session.userId) throw new BadRequestException('To take yourself out, leave the secret');
      if (!members.some((m) => m.user_id === userId)) throw new NotFoundException('This user is not a member');
      const remaining = members.filter((m) => m.user_id !== userId).map((m) => m.user_id);
      await this.checkNewVersion(tx, version, dto, remaining);
      await this.secrets.deleteMember(tx, secretId, userId);
      await this.addVersion(tx, session, secretId, dto);
      await this.record(tx, [session.userId, userId], 'secret.member-removed', origin);
      return { secretId, version: dto.version };
    });
  }

  rotate(
    session: AuthenticatedSession,
    secretId: string,
    dto: NewSecretVersionRequestDto,
    origin: RequestOrigin,
  ): Promise<SecretVersionRefDto> {
    return this.write(session, async (tx) => {
      const { version, members } = await this.lockedAsOwner(tx, session, secretId);
      await this.checkNewVersion(
        tx,
        version,
        dto,
        members.map((m) => m.user_id),
      );
      await this.addVersion(tx, session, secretId, dto);
      await this.record(tx, [session.userId], 'secret.rotated', origin);
      return { secretId, version: dto.version };
    });
  }

  /** The others keep the secret, which they should rotate; the last member leaving deletes it. */
  leave(session: AuthenticatedSession, secretId: string, origin: RequestOrigin): Promise<void> {
    return this.write(session, async (tx) => {
      const { role, members } = await this.lockedAsMember(tx, session, secretId);
      const owners = members.filter((m) => m.role === 'owner').length;
      await this.leaveAs(tx, secretId, session.userId, { role, owners, members: members.length });
      await this.record(tx, [session.userId], 'secret.left', origin);
    });
  }

  delete(session: AuthenticatedSession, secretId: string, origin: RequestOrigin): Promise<void> {
    return this.write(session, async (tx) => {
      const { members } = await this.lockedAsOwner(tx, session, secretId);
      await this.secrets.tombstone(tx, secretId);
      await this.record(
        tx,
        members.map((m) => m.user_id),
        'secret.deleted',
        origin,
      );
    });
  }

  setRole(
    session: AuthenticatedSession,
    secretId: string,
    userId: string,
    dto: SetSecretMemberRoleRequestDto,
    origin: RequestOrigin,
  ): Promise<void> {
    return this.write(session, async (tx) => {
      const { members } = await this.lockedAsOwner(tx, session, secretId);
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw new NotFoundException('This user is not a member');
      const owners = members.filter((m) => m.role === 'owner').length;
      if (target.role === 'owner' && dto.role !== 'owner' && owners === 1) {
        throw new ConflictException('This would leave the secret with no owner: make another member an owner first');
      }
      await this.secrets.setRole(tx, secretId, userId, dto.role);
      await this.record(tx, [...new Set([session.userId, userId])], 'secret.role-changed', origin);
    });
  }

  /**
   * A deleted account leaves every secret as leaveSecret would, in the
   * deletion's transaction; 409 while it is the last owner of a secret others
   * still hold.
   */
  async leaveAllForDeletedAccount(tx: EntityManager, userId: string): Promise<void> {
    const memberships = await this.secrets.membershipsOf(tx, userId);
    // Secrets first, then the user: the order every secret write takes them in.
    await this.secrets.lockUser(tx, userId);
    const known = new Set(memberships.map((m) => m.secret_id));
    const joined = (await this.secrets.secretIdsOf(tx, userId)).filter((id) => !known.has(id));
    if (joined.length) {
      throw new ConflictWithIdsException(
        'Secrets were shared with this account while it was being deleted: look at them, then try again',
        { secretIds: joined },
      );
    }
    const stranded = memberships.filter(leavesOthersWithoutOwner);
    if (stranded.length) {
      throw new ConflictWithIdsException(
        'This account is the last owner of secrets others still hold: make another member an owner, or delete them, first',
        { secretIds: stranded.map((m) => m.secret_id) },
      );
    }
    for (const membership of memberships) await this.leaveAs(tx, membership.secret_id, userId, membership);
  }

  /** Every write: counted against RATE_LIMIT_SECRET_WRITES_PER_USER, in one transaction. */
  private write<T>(session: AuthenticatedSession, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.limits.attempt(
      [{ limit: 'secretWritesPerUser', key: session.userId }],
      () => this.secrets.transaction(work),
      () => true,
    );
  }

  /**
   * The secret, locked for the transaction, with its members, when the caller
   * is one: 404 otherwise, the same for an unknown, deleted or foreign secret.
   */
  private async lockedAsMember(
    tx: EntityManager,
    session: AuthenticatedSession,
    secretId: string,
  ): Promise<{ version: number; members: MemberRow[]; role: SecretRole }> {
    const secret = await this.secrets.lockSecret(tx, secretId);
    if (!secret || secret.deleted_at || secret.current_version === null) throw new NotFoundException(NOT_FOUND);
    const members = await this.secrets.members(tx, secretId);
    const self = members.find((m) => m.user_id === session.userId);
    if (!self) throw new NotFoundException(NOT_FOUND);
    return { version: secret.current_version, members, role: self.role };
  }

  /** lockedAsMember, and 403 for a member who is not an owner. */
  private async lockedAsOwner(tx: EntityManager, session: AuthenticatedSession, secretId: string) {
    const locked = await this.lockedAsMember(tx, session, secretId);
    if (locked.role !== 'owner') throw new ForbiddenException('Only an owner of this secret may do this');
    return locked;
  }

  /** Leaving, by hand or with the account: the last member's leaving deletes the secret. */
  private async leaveAs(tx: EntityManager, secretId: string, userId: string, membership: Membership): Promise<void> {
    if (leavesOthersWithoutOwner(membership)) {
      throw new ConflictException('The last owner cannot leave while others are members: make one an owner first');
    }
    if (membership.members === 1) return this.secrets.tombstone(tx, secretId);
    await this.secrets.deleteMember(tx, secretId, userId);
    await this.secrets.setRotationRequired(tx, secretId);
  }

  /** The next version must be current + 1, for exactly `members`, each under its confirmed key. */
  private async checkNewVersion(
    tx: EntityManager,
    currentVersion: number,
    dto: NewSecretVersionRequestDto,
    members: string[],
  ): Promise<void> {
    if (dto.version !== currentVersion + 1) {
      throw new ConflictException(`version must be ${currentVersion + 1}, the current version + 1`);
    }
    const ids = uniqueRecipients(dto.envelopes);
    const expected = new Set(members);
    const missing = members.filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.has(id));
    if (missing.length || extra.length) {
      throw new ConflictWithIdsException('The envelopes do not cover exactly the members', {
        missingUserIds: missing,
        extraUserIds: extra,
      });
    }
    await this.checkKeys(tx, dto.envelopes);
  }

  private async addVersion(
    tx: EntityManager,
    session: AuthenticatedSession,
    secretId: string,
    dto: NewSecretVersionRequestDto,
  ): Promise<void> {
    await this.secrets.insertVersion(tx, secretId, dto.version, dto.commitment);
    await this.secrets.insertEnvelopes(tx, secretId, dto.version, session.userId, dto.envelopes.map(toNewEnvelope));
    await this.secrets.setCurrentVersion(tx, secretId, dto.version);
  }

  /** Each envelope is sealed to its recipient's confirmed key: 409 naming those whose key is pending, missing or another. */
  private async checkKeys(
    tx: EntityManager,
    envelopes: Pick<EnvelopeDto, 'userId' | 'keyFingerprint'>[],
  ): Promise<void> {
    const confirmed = await this.secrets.confirmedFingerprints(
      tx,
      envelopes.map((e) => e.userId),
    );
    const changed = envelopes.filter((e) => confirmed.get(e.userId) !== e.keyFingerprint).map((e) => e.userId);
    if (changed.length) {
      throw new ConflictWithIdsException(
        'Some recipients have no confirmed key with the fingerprint their envelope names: fetch their keys again',
        { changedUserIds: changed },
      );
    }
  }

  private async ownEnvelope(
    session: AuthenticatedSession,
    secretId: string,
    version: number,
  ): Promise<SecretVersionResponseDto> {
    const envelope = await this.secrets.envelope(secretId, version, session.userId);
    if (!envelope) throw new NotFoundException('No envelope of this version for you');
    return {
      secretId,
      version,
      commitment: envelope.commitment,
      envelope: {
        senderId: envelope.sender_id,
        enc: envelope.enc.toString('base64url'),
        ciphertext: envelope.ciphertext.toString('base64url'),
      },
    };
  }

  private async record(
    tx: EntityManager,
    userIds: string[],
    type: ServerEventType,
    origin: RequestOrigin,
  ): Promise<void> {
    for (const userId of userIds) await this.events.record(serverEvent(userId, type, origin), tx);
  }
}

/** The recipients' ids, once each: 400 for a duplicate. */
function uniqueRecipients(envelopes: Pick<EnvelopeDto, 'userId'>[]): string[] {
  const ids = envelopes.map((e) => e.userId);
  if (new Set(ids).size !== ids.length) throw new BadRequestException('envelopes name a user more than once');
  return ids;
}

function toNewEnvelope(e: EnvelopeDto): NewEnvelope {
  return {
    userId: e.userId,
    keyFingerprint: e.keyFingerprint,
    enc: Buffer.from(e.enc, 'base64url'),
    ciphertext: Buffer.from(e.ciphertext, 'base64url'),
  };
}

function digestOf(dto: CreateSecretRequestDto): Buffer {
  const canonical = {
    secretId: dto.secretId,
    name: dto.name,
    version: dto.version,
    commitment: dto.commitment,
    envelopes: dto.envelopes.map((e) => [e.userId, e.keyFingerprint, e.enc, e.ciphertext]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest();
}

function isRetryOf(existing: SecretRow, userId: string, digest: Buffer): boolean {
  return existing.created_by === userId && timingSafeEqual(existing.create_digest, digest);
}

/** A member's standing in a secret: its role, and how many owners and members the secret has. */
interface Membership {
  role: SecretRole;
  owners: number;
  members: number;
}

/** The one rule for leaving, by hand or with a deleted account: the last owner may not leave others without one. */
function leavesOthersWithoutOwner({ role, owners, members }: Membership): boolean {
  return role === 'owner' && owners === 1 && members > 1;
}
