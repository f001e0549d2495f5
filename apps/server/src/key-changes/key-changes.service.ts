import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { fromBase64Url, verifyKeyChangeReceipt } from '@app/crypto';
import { EventsRepository, type RequestOrigin } from '@app/platform';
import { AuthService } from '../auth/auth.service.js';
import type { AuthenticatedSession } from '../auth/current-session.decorator.js';
import { UsersRepository } from '../auth/users.repository.js';
import type { ServerConfig } from '../core/server-config.js';
import { serverEvent } from '../events/server-events.js';
import { PublicKeysRepository } from '../public-keys/public-keys.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { CommitKeyChangeRequestDto, CommittedKeyChangeResponseDto } from './dto/commit-key-change.dto.js';
import { type KeyChangeRecord, KeyChangesRepository } from './key-changes.repository.js';

/**
 * The server is the one place that decides which staged key change is
 * committed: one per version, never one that was abandoned, and only with
 * the current password. The keyserver applies what is decided here.
 */
@Injectable()
export class KeyChangesService {
  private readonly receiptKey: Promise<CryptoKey>;

  constructor(
    private readonly keyChanges: KeyChangesRepository,
    private readonly publicKeys: PublicKeysRepository,
    private readonly users: UsersRepository,
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly events: EventsRepository,
    config: ConfigService<ServerConfig, true>,
  ) {
    this.receiptKey = config.get('keyChangeReceiptKey', { infer: true });
  }

  /**
   * Commits a change the keyserver holds staged (its receipt says so). With a
   * new password, the login verifier is replaced and every other session ends
   * in the same transaction: whoever knew the old password is out. A retry
   * from the committing session (its answer was lost) is answered again.
   */
  async commitKeyChange(
    session: AuthenticatedSession,
    dto: CommitKeyChangeRequestDto,
    address: string,
    origin: RequestOrigin,
  ): Promise<CommittedKeyChangeResponseDto> {
    const { userId, sessionId } = session;
    const { keyChangeId, baseVersion } = dto;
    const receipt = { userId, keyChangeId, baseVersion };
    if (!(await verifyKeyChangeReceipt(await this.receiptKey, receipt, fromBase64Url(dto.receipt)))) {
      throw new BadRequestException(
        'receipt does not verify: it is not the keyserver’s receipt for this change of your key on this baseVersion',
      );
    }
    const earlier = await this.keyChanges.find(keyChangeId);
    if (earlier) return answerAgain(earlier, dto, session);
    const keyVersion = await this.publicKeys.findKeyVersion(userId);
    if (keyVersion !== baseVersion) throw staleBase(keyVersion);

    const verifier = await this.auth.confirmPassword(userId, dto.currentPassword, address, dto.newPassword);
    return this.keyChanges.transaction(async (tx) => {
      await this.publicKeys.lockKeysOf(tx, userId);
      // Another device may have committed while the password was checked.
      const current = await this.publicKeys.findKeyVersion(userId, tx);
      if (current !== baseVersion) throw staleBase(current);
      const committedAt = await this.keyChanges.recordCommitted(tx, { keyChangeId, userId, baseVersion, sessionId });
      if (!committedAt) throw abandoned();
      await this.publicKeys.setKeyVersion(tx, userId, baseVersion + 1);
      if (verifier) {
        await this.users.replaceVerifier(tx, userId, verifier);
        await this.sessions.endOtherSessionsIn(tx, session, origin);
      }
      await this.events.record(serverEvent(userId, 'key-change.committed', origin), tx);
      return { keyChangeId, keyVersion: baseVersion + 1, committedAt: committedAt.toISOString() };
    });
  }

  /**
   * What the keyserver's abandonKeyChange asks, through a validation: records
   * the user's change as abandoned unless it is committed. Answers whether it
   * is abandoned now (and can never be committed).
   */
  abandon(userId: string, keyChangeId: string): Promise<boolean> {
    return this.keyChanges.transaction(async (tx) => {
      const { abandoned, newly } = await this.keyChanges.recordAbandoned(tx, userId, keyChangeId);
      // The keyserver's request carries no client origin here; its own log has it.
      if (newly)
        await this.events.record(
          serverEvent(userId, 'key-change.abandoned', { clientAddress: null, userAgent: null }),
          tx,
        );
      return abandoned;
    });
  }
}

/** A change decided before: the same answer for the committing session's retry, 409 for anyone else. */
function answerAgain(
  earlier: KeyChangeRecord,
  dto: CommitKeyChangeRequestDto,
  session: AuthenticatedSession,
): CommittedKeyChangeResponseDto {
  if (earlier.state === 'abandoned' || earlier.user_id !== session.userId) throw abandoned();
  if (earlier.session_id !== session.sessionId || earlier.base_version !== dto.baseVersion) {
    throw new ConflictException('This key change was committed from another session');
  }
  return {
    keyChangeId: dto.keyChangeId,
    keyVersion: dto.baseVersion + 1,
    committedAt: earlier.created_at.toISOString(),
  };
}

function staleBase(keyVersion: number | null | undefined): ConflictException {
  return new ConflictException(
    keyVersion == null
      ? 'You have no confirmed key to change'
      : `baseVersion is not your key's current version (${keyVersion}): another change was committed since`,
  );
}

function abandoned(): ConflictException {
  return new ConflictException('This key change was abandoned; stage a new one');
}
