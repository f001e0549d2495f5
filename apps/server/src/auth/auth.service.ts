import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DEFAULT_KDF_PARAMS, KDF_LIMITS } from '@app/crypto';
import {
  EventsRepository,
  RateLimits,
  StorageIntegrityError,
  StorageKeyMissingError,
  StorageSealer,
  type LimitHit,
  type Outcome,
  type NewEvent,
  type RequestOrigin,
} from '@app/platform';
import type { EntityManager } from 'typeorm';
import { SecretsService } from '../secrets/secrets.service.js';
import type { ServerConfig } from '../core/server-config.js';
import { decodeSecretToken, generateSecretToken, hashSecret } from '../core/secrets.js';
import type { AuthenticatedSession } from './current-session.decorator.js';
import { DeviceTokens, type KnownDevice } from './device-tokens.js';
import type { CredentialsDto, LoginRequestDto } from './dto/credentials.dto.js';
import type { DeleteAccountRequestDto } from './dto/delete-account.dto.js';
import type { LoginResponseDto } from './dto/login-response.dto.js';
import type { RegisterResponseDto } from './dto/register-response.dto.js';
import type { UserResponseDto } from './dto/user-response.dto.js';
import { serverEvent } from '../events/server-events.js';
import { PasswordHasher } from './password-hasher.js';
import { UsersRepository, type LoginRow } from './users.repository.js';

/** The table sealed verifiers belong to, part of their additional data. */
export const VERIFIER_TABLE = 'users';

/** What a login tells the client about wrapping its key (protocol v1: libs/crypto's bounds and defaults). */
const KDF_FLOOR = {
  memoryKiB: KDF_LIMITS.memoryKiB.min,
  iterations: KDF_LIMITS.iterations.min,
  parallelism: KDF_LIMITS.parallelism.min,
};
const KDF_RECOMMENDED = {
  memoryKiB: DEFAULT_KDF_PARAMS.memoryKiB,
  iterations: DEFAULT_KDF_PARAMS.iterations,
  parallelism: DEFAULT_KDF_PARAMS.parallelism,
};

/** A login verifier sealed for its user's row. */
export interface SealedVerifier {
  keyId: string;
  sealed: Buffer;
}

/** For callers with no request (tests, scripts). */
const NO_ORIGIN: RequestOrigin = { clientAddress: null, userAgent: null };

/** A wrong secret counts; anything else (400, 503...) does not. */
const isFailedLogin = (outcome: Outcome) => !outcome.ok && outcome.error instanceof UnauthorizedException;
/** A registration counts when it was answered: created, or the email is taken. */
const isAnsweredRegistration = (outcome: Outcome) => outcome.ok || outcome.error instanceof ConflictException;

/** The counter a successful login clears: this address's guesses at this email. */
const emailAndAddress = (email: string, address: string): LimitHit => ({
  limit: 'loginPerEmailAndAddress',
  key: `${email}\n${address}`,
});

/**
 * What a login's failure counts against: a known device's own counter, or the
 * email + address, address and email counters of a stranger to the account.
 */
export function loginLimits(email: string, address: string, device: KnownDevice | undefined): LimitHit[] {
  if (device) return [{ limit: 'loginPerDevice', key: device.counterKey }];
  return [
    emailAndAddress(email, address),
    { limit: 'loginPerAddress', key: address },
    { limit: 'loginPerEmail', key: email },
  ];
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly sessionTtlSeconds: number;

  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordHasher,
    private readonly sealer: StorageSealer,
    private readonly limits: RateLimits,
    private readonly devices: DeviceTokens,
    private readonly events: EventsRepository,
    private readonly secrets: SecretsService,
    config: ConfigService<ServerConfig, true>,
  ) {
    this.sessionTtlSeconds = config.get('sessionTtlSeconds', { infer: true });
  }

  /** The per-address limit bounds how fast a caller can learn, from 409s, which emails have accounts. */
  register(
    { email, password }: CredentialsDto,
    address: string,
    origin: RequestOrigin = NO_ORIGIN,
  ): Promise<RegisterResponseDto> {
    return this.limits.attempt(
      [{ limit: 'registerPerAddress', key: address }],
      async () => {
        // The id is drawn here: the sealed verifier is bound to its row.
        const userId = randomUUID();
        const hash = await this.passwords.inTurn(() => this.passwords.hash(password));
        const verifier = this.sealer.seal(Buffer.from(hash), VERIFIER_TABLE, userId);
        const created = await this.users.transaction(async (tx) => {
          const id = await this.users.create(
            { id: userId, email, verifierKeyId: verifier.keyId, sealedVerifier: verifier.sealed },
            tx,
          );
          if (id) await this.events.record(serverEvent(id, 'registered', origin), tx);
          return id;
        });
        if (!created) throw new ConflictException('An account with this email already exists');
        return { userId: created };
      },
      isAnsweredRegistration,
    );
  }

  /**
   * A failure is counted before the hash is checked (so concurrent guesses
   * cannot all slip in while hashes run) and given back when the secret is
   * right. Unknown emails go through the same steps, limits and hash.
   */
  async login(
    { email, password, deviceToken }: LoginRequestDto,
    address: string,
    origin: RequestOrigin = NO_ORIGIN,
  ): Promise<LoginResponseDto> {
    const device = await this.devices.recognise(deviceToken, email);
    const limits = loginLimits(email, address, device);
    // The lookup waits for its turn with the hash: a flood past the queue costs no query.
    const user = await this.limits.attempt(
      limits,
      () => this.passwords.inTurn(() => this.checkLoginSecret(email, password, origin)),
      isFailedLogin,
    );
    // The owner is back: this address's guesses at this email start again from zero.
    if (!device) await this.limits.clear(emailAndAddress(email, address));
    const sessionToken = generateSecretToken();
    return this.users.transaction(async (tx) => {
      const expiresAt = await this.users.createSession(tx, {
        userId: user.id,
        tokenHash: hashSecret(sessionToken),
        ttlSeconds: this.sessionTtlSeconds,
        ...origin,
      });
      await this.events.record(serverEvent(user.id, 'login.succeeded', origin), tx);
      return {
        sessionToken: sessionToken.toString('base64url'),
        userId: user.id,
        expiresAt: expiresAt.toISOString(),
        hasKeyPair: user.has_key_pair,
        deviceToken: await this.devices.issue(tx, user.id, device),
        kdfFloor: KDF_FLOOR,
        kdfRecommended: KDF_RECOMMENDED,
      };
    });
  }

  /** The user, if the login secret is theirs; the same 401, after the same scrypt cost, for an unknown email. */
  private async checkLoginSecret(email: string, password: string, origin: RequestOrigin): Promise<LoginRow> {
    const user = await this.users.findForLogin(email);
    const verified = await this.passwords.verify(password, user && this.verifierOf(user));
    if (user && !verified) this.recordAfterTheAnswer(serverEvent(user.id, 'login.failed', origin));
    if (!user || !verified) throw new UnauthorizedException('Wrong email or password');
    return user;
  }

  /**
   * A failed login is written once its 401 is on its way (a timer runs after
   * the answer's promise chain), so the write's time tells nothing about
   * whether the email exists.
   */
  private recordAfterTheAnswer(event: NewEvent): void {
    setTimeout(() => {
      this.events
        .record(event)
        .catch((error: unknown) =>
          this.logger.warn(`A login.failed event was not recorded: ${(error as Error).message}`),
        );
    }, 0);
  }

  async logout(session: AuthenticatedSession, origin: RequestOrigin = NO_ORIGIN): Promise<void> {
    await this.users.transaction(async (tx) => {
      await this.users.deleteSession(session.sessionId, tx);
      await this.events.record(serverEvent(session.userId, 'session.ended', origin), tx);
    });
  }

  /**
   * Deletes the account, once the current password is given again: the user,
   * sessions, tokens, challenges, keys, device tokens and events, in one
   * transaction. A wrong password counts as a failed login for the email.
   */
  async deleteAccount(
    session: AuthenticatedSession,
    { currentPassword }: DeleteAccountRequestDto,
    address: string,
  ): Promise<void> {
    await this.confirmPassword(session.userId, currentPassword, address);
    await this.users.transaction(async (tx) => {
      await this.secrets.leaveAllForDeletedAccount(tx, session.userId);
      await this.users.delete(session.userId, tx);
      await this.events.deleteUser(session.userId, tx);
    });
  }

  /**
   * An operation that asks for the current password again checks it as a
   * login would: the same limits (429 when the email is over them), the same
   * queue, and a wrong one (403, the session stays) counted as a failed login.
   * A new password is hashed in the same turn and answered as a sealed
   * verifier, ready to replace the stored one.
   */
  async confirmPassword(
    userId: string,
    currentPassword: string,
    address: string,
    newPassword?: string,
  ): Promise<SealedVerifier | undefined> {
    const user = await this.users.findForPasswordCheck(userId);
    if (!user) throw new UnauthorizedException('This session has ended');
    return this.limits.attempt(
      loginLimits(user.email, address, undefined),
      () =>
        this.passwords.inTurn(async () => {
          if (!(await this.passwords.verify(currentPassword, this.verifierOf(user)))) {
            throw new ForbiddenException('The current password is wrong');
          }
          if (newPassword === undefined) return undefined;
          const sealed = this.sealer.seal(Buffer.from(await this.passwords.hash(newPassword)), VERIFIER_TABLE, userId);
          return { keyId: sealed.keyId, sealed: sealed.sealed };
        }),
      (outcome) => !outcome.ok && outcome.error instanceof ForbiddenException,
    );
  }

  /** The live session a bearer token opens, or undefined. */
  async authenticate(token: string | undefined): Promise<AuthenticatedSession | undefined> {
    const secret = decodeSecretToken(token);
    return secret && this.users.findLiveSession(hashSecret(secret));
  }

  async me(session: AuthenticatedSession): Promise<UserResponseDto> {
    const row = await this.users.describeSession(session.sessionId);
    if (!row) throw new UnauthorizedException('This session has ended');
    return {
      userId: session.userId,
      email: row.email,
      hasKeyPair: row.fingerprint !== null,
      publicKeyFingerprint: row.fingerprint,
      secured: row.secured,
    };
  }

  /** The scrypt verifier, opened with the storage key it was sealed under (or as stored, before sealing). */
  private verifierOf(user: LoginRow): string {
    if (user.sealed_verifier === null || user.verifier_key_id === null) return user.password_hash!;
    try {
      return this.sealer.open(user.verifier_key_id, user.sealed_verifier, VERIFIER_TABLE, user.id).toString('utf8');
    } catch (error) {
      if (error instanceof StorageKeyMissingError) {
        this.logger.error(
          `The login verifier of user ${user.id} is sealed under key ${error.keyId}, which is not configured (SERVER_VERIFIER_KEYS)`,
        );
      } else if (error instanceof StorageIntegrityError) {
        this.logger.error(
          `The sealed login verifier of user ${user.id} does not open: altered, or copied from another row`,
        );
      } else {
        throw error;
      }
      throw new ServiceUnavailableException('This account cannot sign in right now; the operator has been told');
    }
  }

  /** Marks a session secured, inside the caller's transaction. */
  secure(tx: EntityManager, sessionId: string): Promise<void> {
    return this.users.secureSession(tx, sessionId);
  }
}
