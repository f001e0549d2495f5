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
import {
  EventsRepository,
  RateLimits,
  type RequestOrigin,
  StorageIntegrityError,
  StorageKeyMissingError,
  StorageSealer,
} from '@app/platform';
import { base64UrlByteLength, type EventsPageDto, type KeyserverEventType, type ValidateUserResponseDto } from '@app/contracts';
import type { EncryptedPrivateKeyResponseDto, PutPrivateKeyResponseDto } from './dto/private-key-response.dto.js';
import type { PutPrivateKeyRequestDto } from './dto/put-private-key.dto.js';
import { type BlobRow, KeysRepository } from './keys.repository.js';
import { BLOB_TABLE, type BlobSecrets, decodeBlobSecrets, encodeBlobSecrets } from './sealed-blob.js';
import { ServerClient } from './server-client.js';

/** An access token the server could have issued is 32 bytes. */
const ACCESS_TOKEN_BYTES = 32;
/** Answers that refuse a validated token's request: logged as `key.fetch-refused` (404 and 503 refuse no one). */
const REFUSALS = new Set<number>([HttpStatus.FORBIDDEN, HttpStatus.CONFLICT, HttpStatus.TOO_MANY_REQUESTS]);

@Injectable()
export class KeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KeysService.name);

  constructor(
    private readonly repository: KeysRepository,
    private readonly server: ServerClient,
    private readonly sealer: StorageSealer,
    private readonly limits: RateLimits,
    private readonly events: EventsRepository,
  ) {}

  /** Says how many blobs each storage key holds, and which key ids are missing from configuration. */
  async onApplicationBootstrap(): Promise<void> {
    const counts = await this.repository.countBlobsByStorageKey();
    for (const { storage_key_id: keyId, blobs } of counts) {
      if (keyId === null) this.logger.warn(`${blobs} blob(s) not yet sealed under a storage key: run npm run rewrap`);
      else if (!this.sealer.holds(keyId)) this.logger.error(`${blobs} blob(s) sealed under storage key ${keyId}, which is not configured`);
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
      throw new ConflictException('Your public key is confirmed: only a secured session (one that answered a session challenge) may store its private key');
    }
    const sealed = this.sealer.seal(
      encodeBlobSecrets({
        encryptedPrivateKey: Buffer.from(dto.encryptedPrivateKey, 'base64url'),
        iv: Buffer.from(dto.iv, 'base64url'),
        salt: Buffer.from(dto.salt, 'base64url'),
      }),
      BLOB_TABLE,
      userId,
    );
    // The blob and its event commit together: no store goes unlogged.
    const row = await this.repository.transaction(async (tx) => {
      const stored = await this.repository.putSealedBlob(
        { userId, storageKeyId: sealed.keyId, sealedBlob: sealed.sealed, kdf: dto.kdf, publicKeyFingerprint: dto.publicKeyFingerprint },
        tx,
      );
      if (stored) await this.events.record(event(userId, 'key.stored', origin), tx);
      return stored;
    });
    if (!row) throw new ConflictException('A private key for this public key is stored already; it cannot be replaced');
    return { userId, createdAt: row.created_at.toISOString() };
  }

  getEncryptedPrivateKey(userId: string, accessToken: string, origin: RequestOrigin): Promise<EncryptedPrivateKeyResponseDto> {
    return this.asUser(userId, accessToken, origin, () => this.read(userId, origin));
  }

  private async read(userId: string, origin: RequestOrigin): Promise<EncryptedPrivateKeyResponseDto> {
    const row = await this.repository.findBlob(userId);
    if (!row) throw new NotFoundException('No encrypted private key is stored for this user');
    const secrets = this.openBlob(userId, row);
    // Logged before the blob leaves: a fetch the log cannot show is not served.
    await this.events.record(event(userId, 'key.fetched', origin));
    return {
      userId,
      encryptedPrivateKey: secrets.encryptedPrivateKey.toString('base64url'),
      iv: secrets.iv.toString('base64url'),
      salt: secrets.salt.toString('base64url'),
      kdf: {
        algorithm: row.kdf_algorithm,
        memoryKiB: row.kdf_memory_kib,
        iterations: row.kdf_iterations,
        parallelism: row.kdf_parallelism,
      },
      publicKeyFingerprint: row.public_key_fingerprint,
      updatedAt: row.updated_at.toISOString(),
      version: row.version,
    };
  }

  /** The blob's secrets, opened with the storage key they were sealed under (or as stored, before sealing). */
  private openBlob(userId: string, row: BlobRow): BlobSecrets {
    if (row.sealed_blob === null || row.storage_key_id === null) {
      return { encryptedPrivateKey: row.encrypted_private_key!, iv: row.iv!, salt: row.salt! };
    }
    try {
      return decodeBlobSecrets(this.sealer.open(row.storage_key_id, row.sealed_blob, BLOB_TABLE, userId));
    } catch (error) {
      if (error instanceof StorageKeyMissingError) {
        this.logger.error(`The blob of user ${userId} is sealed under storage key ${error.keyId}, which is not configured (KEYSERVER_STORAGE_KEYS)`);
      } else if (error instanceof StorageIntegrityError) {
        this.logger.error(`The sealed blob of user ${userId} does not open: altered, or copied from another row`);
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
        throw new ForbiddenException('Only a secured session (one that answered a session challenge) may delete the key');
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
  ): Promise<T> {
    const user = await this.redeem(userId, accessToken);
    try {
      return await this.limits.attempt([{ limit: 'keysPerUser', key: userId }], () => operation(user), () => true);
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
      throw new ForbiddenException('Only a secured session (one that answered a session challenge) may list its events');
    }
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
  private async redeem(userId: string, accessToken: string): Promise<ValidateUserResponseDto> {
    // Not a token the server could have issued: refused without a round trip.
    if (base64UrlByteLength(accessToken) !== ACCESS_TOKEN_BYTES) throw rejected();
    const validation = await this.server.validateUser({ userId, accessToken });
    if (validation.outcome === 'unavailable') {
      throw new ServiceUnavailableException('The server could not validate the access token; try again shortly');
    }
    if (validation.outcome === 'rejected') throw rejected();
    return validation.user;
  }
}

function rejected(): ForbiddenException {
  return new ForbiddenException('The access token was rejected: unknown, expired, already used, or for another user');
}

function event(userId: string, type: KeyserverEventType, origin: RequestOrigin) {
  return { userId, type, clientAddress: origin.clientAddress, userAgent: origin.userAgent };
}
