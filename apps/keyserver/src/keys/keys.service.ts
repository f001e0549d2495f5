import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { signKeyChangeReceipt } from '@app/crypto';
import {
  EventsRepository,
  RateLimits,
  type RequestOrigin,
  RetryLaterException,
  StorageIntegrityError,
  StorageKeyMissingError,
  StorageSealer,
} from '@app/platform';
import {
  base64UrlByteLength,
  type EventsPageDto,
  type KdfParamsDto,
  type KeyserverEventType,
  type ValidateUserResponseDto,
} from '@app/contracts';
import type { KeyserverConfig } from '../core/keyserver-config.js';
import type {
  AppliedKeyChangeResponseDto,
  PendingKeyChangeDto,
  StagedKeyChangeResponseDto,
  StageKeyChangeRequestDto,
} from './dto/key-change.dto.js';
import type { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import type { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';
import { type BlobRow, type KeyChangeRow, KeysRepository } from './keys.repository.js';
import { BLOB_TABLE, type BlobSecrets, decodeBlobSecrets, encodeBlobSecrets, KEY_CHANGE_TABLE } from './sealed-blob.js';
import { ServerClient } from './server-client.js';

/** An access token the server could have issued is 32 bytes. */
const ACCESS_TOKEN_BYTES = 32;
/** Answers that refuse a validated token's request: logged as `key.fetch-refused` (404 and 503 refuse no one). */
const REFUSALS = new Set<number>([HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS]);
/** When to retry after the server could not be reached: soon, it is usually a restart or a blip. */
const SERVER_RETRY_AFTER_MS = 2000;
/** Staged changes a user may hold at once: enough for a retry or two, too few to fill the table. */
export const MAX_STAGED_KEY_CHANGES = 5;

@Injectable()
export class KeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KeysService.name);
  private readonly receiptKey: Promise<CryptoKey>;

  constructor(
    private readonly repository: KeysRepository,
    private readonly server: ServerClient,
    private readonly sealer: StorageSealer,
    private readonly limits: RateLimits,
    private readonly events: EventsRepository,
    config: ConfigService<KeyserverConfig, true>,
  ) {
    this.receiptKey = config.get('keyChangeReceiptKey', { infer: true });
  }

  /**
   * Says how many blobs each storage key holds, and which key ids are missing
   * from configuration: counted while the service already answers (a full
   * scan of the blobs is no reason to start late).
   */
  onApplicationBootstrap(): void {
    this.reportStorageKeys().catch((error: Error) =>
      this.logger.warn(`Could not count the blobs per storage key: ${error.message}`),
    );
  }

  private async reportStorageKeys(): Promise<void> {
    const counts = await this.repository.countBlobsByStorageKey();
    for (const { storage_key_id: keyId, blobs } of counts) {
      if (keyId === null) this.logger.warn(`${blobs} blob(s) not yet sealed under a storage key: run npm run rewrap`);
      else if (!this.sealer.holds(keyId))
        this.logger.error(`${blobs} blob(s) sealed under storage key ${keyId}, which is not configured`);
      else this.logger.log(`${blobs} blob(s) sealed under storage key ${keyId}`);
    }
  }

  /**
   * Stores the user's encrypted private key, bound to the public key it
   * belongs to, which must be the user's current one. The first blob stored
   * for a key is final (the two-phase key change replaces it), so a stolen
   * session cannot overwrite it; a blob of another key is replaced (setup
   * started again). Once the key is confirmed, only a secured session, which
   * proves it holds the confirmed private key, may store: the repair path for
   * an account left holding another key's blob.
   */
  putPrivateKey(
    userId: string,
    accessToken: string,
    dto: PutPrivateKeyRequestDto,
    origin: RequestOrigin,
  ): Promise<PutPrivateKeyResponseDto> {
    return this.asUser(userId, accessToken, origin, (user) => this.store(userId, user, dto, origin));
  }

  private async store(
    userId: string,
    user: ValidateUserResponseDto,
    dto: PutPrivateKeyRequestDto,
    origin: RequestOrigin,
  ): Promise<PutPrivateKeyResponseDto> {
    if (user.publicKeyFingerprint === null) {
      throw new ConflictException('You have no public key on the server: put the public key before its private key');
    }
    if (dto.publicKeyFingerprint !== user.publicKeyFingerprint) {
      throw new ConflictException(
        'publicKeyFingerprint is not your current public key: the public key was replaced since (another key setup?)',
      );
    }
    if (user.keyConfirmed && !user.sessionSecured) {
      throw new ConflictException(
        'Your public key is confirmed: only a secured session (one that answered a session challenge) may store its private key',
      );
    }
    const sealed = this.sealer.seal(encodeSecrets(dto), BLOB_TABLE, userId);
    // The blob and its event commit together: no store goes unlogged.
    const row = await this.repository.transaction(async (tx) => {
      const stored = await this.repository.putSealedBlob(
        {
          userId,
          storageKeyId: sealed.keyId,
          sealedBlob: sealed.sealed,
          kdf: dto.kdf,
          publicKeyFingerprint: dto.publicKeyFingerprint,
        },
        tx,
      );
      if (stored) {
        // Changes staged on the replaced blob (another key's) can never apply to this one.
        await this.repository.deleteKeyChanges(userId, tx);
        await this.events.record(event(userId, 'key.stored', origin), tx);
      }
      return stored;
    });
    if (!row) throw new ConflictException('A private key for this public key is stored already; it cannot be replaced');
    return { userId, createdAt: row.created_at.toISOString() };
  }

  getEncryptedPrivateKey(
    userId: string,
    accessToken: string,
    origin: RequestOrigin,
  ): Promise<EncryptedPrivateKeyResponseDto> {
    return this.asUser(userId, accessToken, origin, () => this.read(userId, origin));
  }

  private async read(userId: string, origin: RequestOrigin): Promise<EncryptedPrivateKeyResponseDto> {
    const row = await this.repository.findBlob(userId);
    if (!row) throw new NotFoundException('No encrypted private key is stored for this user');
    const secrets = this.openBlob(userId, row);
    const staged = await this.repository.listStagedChanges(userId);
    const pendingChanges = staged.map((change) => this.describeChange(userId, change));
    // Logged before the blob leaves: a fetch the log cannot show is not served.
    await this.events.record(event(userId, 'key.fetched', origin));
    return {
      userId,
      encryptedPrivateKey: secrets.encryptedPrivateKey.toString('base64url'),
      iv: secrets.iv.toString('base64url'),
      salt: secrets.salt.toString('base64url'),
      kdf: kdfOf(row),
      publicKeyFingerprint: row.public_key_fingerprint,
      updatedAt: row.updated_at.toISOString(),
      version: row.version,
      pendingChanges,
    };
  }

  private describeChange(userId: string, change: KeyChangeRow): PendingKeyChangeDto {
    const secrets = this.openStagedChange(userId, change);
    return {
      keyChangeId: change.id,
      baseVersion: change.base_version,
      createdAt: change.created_at.toISOString(),
      encryptedPrivateKey: secrets.encryptedPrivateKey.toString('base64url'),
      iv: secrets.iv.toString('base64url'),
      salt: secrets.salt.toString('base64url'),
      kdf: kdfOf(change),
      publicKeyFingerprint: change.public_key_fingerprint,
    };
  }

  /**
   * Stages the same private key wrapped anew, on the blob's current version,
   * for the server to commit. Only from a secured session (it proved it holds
   * the key), and only for the confirmed key's blob. The receipt lets the
   * server check that this keyserver holds the change it is asked to commit.
   */
  stageKeyChange(
    userId: string,
    accessToken: string,
    dto: StageKeyChangeRequestDto,
    origin: RequestOrigin,
  ): Promise<StagedKeyChangeResponseDto> {
    return this.asUser(userId, accessToken, origin, async (user) => {
      if (!user.sessionSecured) {
        throw new ForbiddenException(
          'Only a secured session (one that answered a session challenge) may change the key',
        );
      }
      const confirmed = user.keyConfirmed ? user.publicKeyFingerprint : null;
      if (confirmed === null) throw new ConflictException('You have no confirmed key to change');
      if (dto.publicKeyFingerprint !== confirmed) {
        throw new ConflictException(
          'publicKeyFingerprint is not your confirmed public key: a key change wraps the same key anew',
        );
      }
      const keyChangeId = randomUUID();
      const sealed = this.sealer.seal(encodeSecrets(dto), KEY_CHANGE_TABLE, keyChangeId);
      const createdAt = await this.repository.transaction(async (tx) => {
        const blob = await this.repository.lockBlob(userId, tx);
        if (blob?.public_key_fingerprint !== confirmed) {
          throw new ConflictException('No encrypted private key of your confirmed public key is stored here');
        }
        if (blob.version !== dto.baseVersion) {
          throw new ConflictException(
            `baseVersion is not the key's current version (${blob.version}): another change was applied since`,
          );
        }
        if ((await this.repository.countStagedChanges(userId, tx)) >= MAX_STAGED_KEY_CHANGES) {
          throw new ConflictException(
            `You hold ${MAX_STAGED_KEY_CHANGES} staged key changes already: commit or abandon one (abandonKeyChange) first`,
          );
        }
        const created = await this.repository.stageChange(
          {
            id: keyChangeId,
            userId,
            baseVersion: dto.baseVersion,
            storageKeyId: sealed.keyId,
            sealedBlob: sealed.sealed,
            kdf: dto.kdf,
            publicKeyFingerprint: dto.publicKeyFingerprint,
          },
          tx,
        );
        await this.events.record(event(userId, 'key-change.staged', origin), tx);
        return created;
      });
      const receipt = await signKeyChangeReceipt(await this.receiptKey, {
        userId,
        keyChangeId,
        baseVersion: dto.baseVersion,
      });
      return { keyChangeId, baseVersion: dto.baseVersion, createdAt: createdAt.toISOString(), receipt };
    });
  }

  /**
   * Makes a committed change current, on request (every request does it
   * first anyway): the key's current version once it is applied, now or
   * earlier. Any valid token of the user may ask: applying only carries out
   * what the server has decided.
   */
  applyKeyChange(
    userId: string,
    keyChangeId: string,
    accessToken: string,
    origin: RequestOrigin,
  ): Promise<AppliedKeyChangeResponseDto> {
    return this.asUser(userId, accessToken, origin, async () => {
      const found = await this.repository.findChangeState(userId, keyChangeId);
      if (!found) throw new NotFoundException('No key change with this id is staged or applied for this user');
      if (found.state === 'staged')
        throw new ConflictException('This key change is not committed: commit it on the server first');
      return { version: found.currentVersion };
    });
  }

  /**
   * Abandons a staged change, once the server has recorded it as abandoned
   * (so it can never be committed); a change the server has committed is
   * applied instead and answered 409. The keyserver never drops a staged
   * change on its own: only the server knows whether it is committed.
   */
  async abandonKeyChange(
    userId: string,
    keyChangeId: string,
    accessToken: string,
    origin: RequestOrigin,
  ): Promise<void> {
    // Only a change held here is named to the server: no stranger's id gets recorded there.
    const held = (await this.repository.findChangeState(userId, keyChangeId))?.state === 'staged';
    return this.asUser(
      userId,
      accessToken,
      origin,
      async (user) => {
        if (!user.sessionSecured) {
          throw new ForbiddenException(
            'Only a secured session (one that answered a session challenge) may abandon a key change',
          );
        }
        const found = await this.repository.findChangeState(userId, keyChangeId);
        if (!found) throw new NotFoundException('No key change with this id is staged for this user');
        if (found.state === 'applied' || !held || user.abandonedKeyChangeId !== keyChangeId) {
          throw new ConflictException('This change was committed and is now current');
        }
        await this.repository.transaction(async (tx) => {
          if (await this.repository.deleteStagedChange(userId, keyChangeId, tx)) {
            await this.events.record(event(userId, 'key-change.abandoned', origin), tx);
          }
        });
      },
      held ? keyChangeId : undefined,
    );
  }

  /**
   * Makes the server's last committed change current when this keyserver
   * holds it staged on the blob's version: before anything else is done for
   * the user, so a client that stopped right after its commit loses nothing.
   */
  private async applyCommitted(userId: string, user: ValidateUserResponseDto, origin: RequestOrigin): Promise<void> {
    const committed = user.committedKeyChange;
    if (!committed) return;
    const change = await this.repository.findApplicableChange(userId, committed.keyChangeId, committed.baseVersion);
    if (!change) return;
    const secrets = this.openStagedChange(userId, change);
    const sealed = this.sealer.seal(encodeBlobSecrets(secrets), BLOB_TABLE, userId);
    await this.repository.transaction(async (tx) => {
      const applied = await this.repository.applyChange(
        {
          id: change.id,
          userId,
          baseVersion: change.base_version,
          storageKeyId: sealed.keyId,
          sealedBlob: sealed.sealed,
          kdf: kdfOf(change),
          publicKeyFingerprint: change.public_key_fingerprint,
        },
        tx,
      );
      if (applied !== undefined) await this.events.record(event(userId, 'key-change.applied', origin), tx);
    });
  }

  /** The blob's secrets, opened with the storage key they were sealed under (or as stored, before sealing). */
  private openBlob(userId: string, row: BlobRow): BlobSecrets {
    if (row.sealed_blob === null || row.storage_key_id === null) {
      return { encryptedPrivateKey: row.encrypted_private_key!, iv: row.iv!, salt: row.salt! };
    }
    return this.openSealed(row.storage_key_id, row.sealed_blob, BLOB_TABLE, userId, `the blob of user ${userId}`);
  }

  /** Sealed secrets opened, or a 503 with a log line naming what does not open and why. */
  /** A staged change's secrets, sealed under its own id (`KEY_CHANGE_TABLE`). */
  private openStagedChange(userId: string, change: KeyChangeRow): BlobSecrets {
    return this.openSealed(
      change.storage_key_id,
      change.sealed_blob,
      KEY_CHANGE_TABLE,
      change.id,
      `a staged key change of user ${userId}`,
    );
  }

  private openSealed(keyId: string, sealed: Buffer, table: string, rowId: string, what: string): BlobSecrets {
    try {
      return decodeBlobSecrets(this.sealer.open(keyId, sealed, table, rowId));
    } catch (error) {
      if (error instanceof StorageKeyMissingError) {
        this.logger.error(
          `${capitalised(what)} is sealed under storage key ${error.keyId}, which is not configured (KEYSERVER_STORAGE_KEYS)`,
        );
      } else if (error instanceof StorageIntegrityError) {
        this.logger.error(`${capitalised(what)} does not open: altered, or copied from another row`);
      } else {
        throw error;
      }
      throw new ServiceUnavailableException('The stored key cannot be read right now; the operator has been told');
    }
  }

  /**
   * Deletes the user's blob, staged key changes and keyserver events, the
   * first step of leaving (the server deletes the account next). Only a
   * secured session may: it proved it holds the private key, so a stolen
   * session token cannot destroy the key. Idempotent: a retry after a lost
   * answer finds nothing and succeeds. Records no event: the log is deleted
   * with the rest, and one left behind would outlive the account.
   */
  deletePrivateKey(userId: string, accessToken: string, origin: RequestOrigin): Promise<void> {
    return this.asUser(userId, accessToken, origin, async (user) => {
      if (!user.sessionSecured) {
        throw new ForbiddenException(
          'Only a secured session (one that answered a session challenge) may delete the key',
        );
      }
      await this.repository.transaction(async (tx) => {
        await this.repository.deleteUserKeys(userId, tx);
        await this.events.deleteUser(userId, tx);
      });
    });
  }

  /**
   * Runs `operation` for the user the access token is good for, counted
   * against RATE_LIMIT_KEYS_PER_USER once the token is validated: a request
   * over the limit has spent its token.
   */
  private async asUser<T>(
    userId: string,
    accessToken: string,
    origin: RequestOrigin,
    operation: (user: ValidateUserResponseDto) => Promise<T>,
    abandonKeyChangeId?: string,
  ): Promise<T> {
    const user = await this.redeem(userId, accessToken, abandonKeyChangeId);
    try {
      return await this.limits.attempt(
        [{ limit: 'keysPerUser', key: userId }],
        async () => {
          await this.applyCommitted(userId, user, origin);
          return operation(user);
        },
        () => true,
      );
    } catch (error) {
      // Only after the token validated: a stranger cannot fill a user's log.
      if (error instanceof HttpException && REFUSALS.has(error.getStatus())) await this.recordRefusal(userId, origin);
      throw error;
    }
  }

  /**
   * The user's keyserver events, newest first, for a token from a secured
   * session only: the log shows where the key was fetched from, which a
   * session that has not proved it holds the private key must not learn.
   * Not counted against RATE_LIMIT_KEYS_PER_USER: it neither reads nor writes the key.
   */
  async listKeyEvents(userId: string, accessToken: string, cursor: string | undefined): Promise<EventsPageDto> {
    const user = await this.redeem(userId, accessToken);
    if (!user.sessionSecured) {
      throw new ForbiddenException(
        'Only a secured session (one that answered a session challenge) may list its events',
      );
    }
    await this.applyCommitted(userId, user, NO_ORIGIN);
    return this.events.list(userId, cursor);
  }

  /** The refusal is answered whatever happens here: a log outage must not turn a 429 into a 500. */
  private async recordRefusal(userId: string, origin: RequestOrigin): Promise<void> {
    await this.events.record(event(userId, 'key.fetch-refused', origin)).catch((error: unknown) => {
      this.logger.warn(`Recording key.fetch-refused failed: ${(error as Error).message}`);
    });
  }

  /**
   * Spends the one-time access token with the server, which answers for whom
   * it is good and the state of that user's key. Called only once the request
   * is known to be well-formed, so a malformed request costs no token.
   */
  private async redeem(
    userId: string,
    accessToken: string,
    abandonKeyChangeId?: string,
  ): Promise<ValidateUserResponseDto> {
    // Not a token the server could have issued: refused without a round trip.
    if (base64UrlByteLength(accessToken) !== ACCESS_TOKEN_BYTES) throw rejected();
    const validation = await this.server.validateUser({ userId, accessToken, abandonKeyChangeId });
    if (validation.outcome === 'unavailable') {
      // The token may or may not be spent by now: a retry needs a new one.
      throw new RetryLaterException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'The server could not validate the access token: request a new access token and retry',
        SERVER_RETRY_AFTER_MS,
      );
    }
    if (validation.outcome === 'rejected') throw rejected();
    return validation.user;
  }
}

function rejected(): ForbiddenException {
  return new ForbiddenException('The access token was rejected: unknown, expired, already used, or for another user');
}

/** For work done on the way (a change applied while listing events): no request of the user's asked for it. */
const NO_ORIGIN: RequestOrigin = { clientAddress: null, userAgent: null };

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function kdfOf(
  row: Pick<BlobRow, 'kdf_algorithm' | 'kdf_memory_kib' | 'kdf_iterations' | 'kdf_parallelism'>,
): KdfParamsDto {
  return {
    algorithm: row.kdf_algorithm,
    memoryKiB: row.kdf_memory_kib,
    iterations: row.kdf_iterations,
    parallelism: row.kdf_parallelism,
  };
}

function encodeSecrets(dto: Pick<PutPrivateKeyRequestDto, 'encryptedPrivateKey' | 'iv' | 'salt'>): Buffer {
  return encodeBlobSecrets({
    encryptedPrivateKey: Buffer.from(dto.encryptedPrivateKey, 'base64url'),
    iv: Buffer.from(dto.iv, 'base64url'),
    salt: Buffer.from(dto.salt, 'base64url'),
  });
}

function event(userId: string, type: KeyserverEventType, origin: RequestOrigin) {
  return { userId, type, clientAddress: origin.clientAddress, userAgent: origin.userAgent };
}
