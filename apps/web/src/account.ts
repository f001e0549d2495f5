import { isApiError, KeyserverClient, type KeyserverApi, ServerClient, type ServerApi } from '@app/api-client';
import { normalizeEmail } from '@app/contracts/wire';
import {
  DEFAULT_KDF_PARAMS,
  fingerprint,
  fromBase64Url,
  KEY_ALGORITHM,
  type KdfParams,
  strongerKdf,
} from '@app/crypto';
import type { WebConfig } from './config.js';
import { UserError } from './errors.js';
import { deviceTokens, sessionToken } from './storage.js';
import { type Vault, VaultError } from './vault.js';
import type { WireBlob } from './vault-protocol.js';

export type Me = ServerApi.UserResponse;

/**
 * The protocol's flows as this app runs them, on the generated clients, with
 * every use of the password and the private key in the key worker (the vault).
 * The safeguards are the reference client's.
 */
export class Account {
  /** The login's recommended Argon2id cost, in this page's memory (after a reload: the protocol's defaults). */
  private kdfRecommended: ServerApi.KdfCost | undefined;

  constructor(
    private readonly config: WebConfig,
    private readonly vault: Vault,
  ) {}

  get signedIn(): boolean {
    return sessionToken.get() !== undefined;
  }

  /** The server receives a secret derived from the password, never the password. */
  async register(email: string, password: string): Promise<void> {
    const secret = await this.vault.call('loginSecret', { email, password });
    await this.server(null).auth.register({ requestBody: { email, password: secret } });
  }

  async login(email: string, password: string): Promise<ServerApi.LoginResponse> {
    const session = await this.logIn(email, password).catch((error: unknown) => {
      if (isApiError(error) && error.status === 401) throw new UserError('Wrong email or password.');
      throw error;
    });
    sessionToken.set(session.sessionToken);
    this.kdfRecommended = session.kdfRecommended;
    return session;
  }

  /** Ends the session on the server too; the key goes with the worker. */
  async logout(): Promise<void> {
    this.vault.lock();
    try {
      if (this.signedIn) await this.server().auth.logout();
    } catch (error) {
      // An ended session is as good as logged out.
      if (!(isApiError(error) && error.status === 401)) throw error;
    } finally {
      sessionToken.clear();
    }
  }

  /** The server's client on this session, for the flows beside these (shared secrets). */
  api(): ServerClient {
    return this.server();
  }

  me(): Promise<Me> {
    return this.server().auth.getCurrentUser();
  }

  /**
   * Seed flow 1. The password is checked with a fresh login first (a key
   * wrapped under a mistyped password could never be opened), and the blob the
   * keyserver holds is read back and opened before the challenge confirms the key.
   */
  async createKeypair(me: Me, password: string): Promise<string> {
    if (me.hasKeyPair) throw new UserError('This account already has a key pair: unlock it instead.');
    await this.checkPassword(me, password);
    const server = this.server();
    const keyserver = this.keyserver(server);
    const created = await this.vault.call('createKey', { password, userId: me.userId });
    await server.publicKeys.putPublicKey({ requestBody: { algorithm: KEY_ALGORITHM, publicKey: created.publicKey } });
    await keyserver.keys.putPrivateKey({
      userId: me.userId,
      requestBody: { ...created.blob, publicKeyFingerprint: created.fingerprint },
    });
    const stored = await this.fetchBlob(keyserver, me.userId);
    const holds =
      stored?.publicKeyFingerprint === created.fingerprint &&
      (await this.vault.call('blobHoldsKey', { blob: stored, password, userId: me.userId }));
    if (!holds) {
      this.vault.lock();
      throw new UserError(
        'The keyserver does not hold the key just stored (another device may be creating one). Nothing was confirmed: try again.',
      );
    }
    await this.answerChallenge(server);
    return created.fingerprint;
  }

  /** Seed flows 2 and 3: fetch, open in the worker, check against the server's fingerprint, answer the challenge. */
  async unlock(me: Me, password: string): Promise<{ fingerprint: string; upgraded: boolean }> {
    const confirmed = me.publicKeyFingerprint;
    if (!me.hasKeyPair || !confirmed) throw new UserError('This account has no key pair yet: create one first.');
    const server = this.server();
    const blob = await this.fetchBlob(this.keyserver(server), me.userId);
    if (!blob) throw new UserError('The keyserver holds no key for this account.');
    if (blob.publicKeyFingerprint && blob.publicKeyFingerprint !== confirmed) {
      throw new UserError('The key stored for you is not the one your account has confirmed. Nothing was changed.');
    }
    const { fingerprint: opened } = await this.vault.call('unlock', {
      blob,
      password,
      userId: me.userId,
      fingerprint: confirmed,
    });
    await this.answerChallenge(server);
    // Decided on the blob just opened: most unlocks need no re-wrap, and then no further request.
    const kdf = strongerKdf(blob.kdf, this.kdfRecommended ?? DEFAULT_KDF_PARAMS);
    return { fingerprint: opened, upgraded: kdf !== undefined && (await this.upgradeKdf(me, password, kdf)) };
  }

  lock(): void {
    this.vault.lock();
  }

  /**
   * A new password for the account and the key, in the key change's phases:
   * the worker opens the stored blob with the current password and wraps the
   * key under the new one; the keyserver stages it; the staged blob is read
   * back and opened with the new password before the server commits (after
   * which only the new password works); the keyserver makes it current.
   * Needs the key unlocked here: staging is for a session that proved it holds it.
   */
  async changePassword(me: Me, currentPassword: string, newPassword: string): Promise<void> {
    const server = this.server();
    const keyserver = this.keyserver(server);
    const blob = await this.currentBlob(me, keyserver);
    const wrapped = await this.vault
      .call('rewrap', { blob, currentPassword, newPassword, userId: me.userId, fingerprint: me.publicKeyFingerprint! })
      .catch((error: unknown) => {
        if (error instanceof VaultError && error.code === 'decryption_failed')
          throw new UserError('Wrong current password. Nothing was changed.');
        throw error;
      });
    await this.changeKey(me, server, keyserver, blob, wrapped, {
      currentPassword: await this.vault.call('loginSecret', { email: me.email, password: currentPassword }),
      newPassword: await this.vault.call('loginSecret', { email: me.email, password: newPassword }),
      password: newPassword,
    });
  }

  /**
   * After an unlock: a key stored under weaker Argon2id parameters than the
   * login recommends is wrapped anew under the same password, through the same
   * phases, without asking. A failure costs nothing (the password stays the
   * same either way): the next unlock tries again. True when it re-wrapped.
   */
  private async upgradeKdf(me: Me, password: string, kdf: KdfParams): Promise<boolean> {
    const server = this.server();
    const keyserver = this.keyserver(server);
    try {
      const blob = await this.currentBlob(me, keyserver);
      const wrapped = await this.vault.call('rewrap', {
        blob,
        currentPassword: password,
        newPassword: password,
        userId: me.userId,
        fingerprint: me.publicKeyFingerprint!,
        kdf,
      });
      await this.changeKey(me, server, keyserver, blob, wrapped, {
        currentPassword: await this.vault.call('loginSecret', { email: me.email, password }),
        password,
      });
      return true;
    } catch {
      return false;
    }
  }

  /** The stored blob of the confirmed key, with what earlier attempts staged and never committed abandoned. */
  private async currentBlob(me: Me, keyserver: KeyserverClient): Promise<KeyserverApi.EncryptedPrivateKeyResponse> {
    if (!me.publicKeyFingerprint) throw new UserError('This account has no key pair yet: create one first.');
    const blob = await this.fetchBlob(keyserver, me.userId);
    if (!blob) throw new UserError('The keyserver holds no key for this account.');
    // What an earlier attempt staged and never committed can never be: only its own run had the receipt.
    for (const pending of blob.pendingChanges) {
      await keyserver.keys.abandonKeyChange({ userId: me.userId, keyChangeId: pending.keyChangeId }).catch(() => {
        throw new UserError('Your key is being changed from another session. Reload, then try again.');
      });
    }
    return blob;
  }

  /** Stage, check the staged blob opens with `password` to the held key, commit, apply. */
  private async changeKey(
    me: Me,
    server: ServerClient,
    keyserver: KeyserverClient,
    blob: KeyserverApi.EncryptedPrivateKeyResponse,
    wrapped: WireBlob,
    secrets: { currentPassword: string; newPassword?: string; password: string },
  ): Promise<void> {
    const staged = await keyserver.keys.stageKeyChange({
      userId: me.userId,
      requestBody: { ...wrapped, publicKeyFingerprint: me.publicKeyFingerprint!, baseVersion: blob.version },
    });
    const abandon = () =>
      keyserver.keys.abandonKeyChange({ userId: me.userId, keyChangeId: staged.keyChangeId }).catch(() => undefined);
    const held = (await this.fetchBlob(keyserver, me.userId))?.pendingChanges.find(
      (pending) => pending.keyChangeId === staged.keyChangeId,
    );
    const holds =
      held?.encryptedPrivateKey === wrapped.encryptedPrivateKey &&
      held.iv === wrapped.iv &&
      held.salt === wrapped.salt &&
      (await this.vault.call('blobHoldsKey', { blob: held, password: secrets.password, userId: me.userId }));
    if (!holds) {
      await abandon();
      throw new UserError('The keyserver does not hold the new key as it was sent. Nothing was changed.');
    }
    try {
      await server.keyChanges.commitKeyChange({
        requestBody: {
          keyChangeId: staged.keyChangeId,
          baseVersion: staged.baseVersion,
          receipt: staged.receipt,
          currentPassword: secrets.currentPassword,
          newPassword: secrets.newPassword,
        },
      });
    } catch (error) {
      if (isApiError(error) && (error.status === 403 || error.status === 409)) {
        await abandon();
        throw new UserError(
          error.status === 403
            ? 'Wrong current password. Nothing was changed.'
            : 'Your key was changed from another session meanwhile. Nothing was changed here: reload and try again.',
        );
      }
      throw error;
    }
    await keyserver.keys.applyKeyChange({ userId: me.userId, keyChangeId: staged.keyChangeId }).catch(() => {
      throw new UserError(
        'Your password is changed: only the new one works from now on. The keyserver did not confirm it made the key ' +
          "under it current: run the reference client's change-password with the same two passwords to finish.",
      );
    });
  }

  /** Another user's public key, its fingerprint recomputed here: what the server names must be what it serves. */
  async lookUp(userId: string): Promise<ServerApi.UserPublicKeyResponse> {
    const key = await this.server()
      .publicKeys.getPublicKeyForUser({ userId })
      .catch((error: unknown) => {
        if (isApiError(error) && error.status === 404) throw new UserError(`${userId} has no confirmed public key.`);
        if (isApiError(error) && error.status === 400) throw new UserError('A user id is a UUID.');
        throw error;
      });
    if ((await fingerprint(fromBase64Url(key.publicKey))) !== key.fingerprint) {
      throw new UserError('The server sent a public key that does not match its fingerprint. Do not use it.');
    }
    return key;
  }

  sessions(): Promise<ServerApi.SessionsResponse> {
    return this.server().sessions.listSessions();
  }

  endSession(id: string): Promise<void> {
    return this.server().sessions.endSession({ id });
  }

  endOtherSessions(): Promise<void> {
    return this.server().sessions.endOtherSessions();
  }

  events(): Promise<ServerApi.EventsPage> {
    return this.server().events.listEvents({});
  }

  private async answerChallenge(server: ServerClient): Promise<void> {
    const challenge = await server.sessionChallenge.getSessionChallenge();
    const token = await this.vault.call('openChallenge', challenge).catch(() => {
      throw new UserError("The server's challenge does not open with your key: it holds another public key for you.");
    });
    await server.sessionChallenge.submitSessionChallenge({
      requestBody: { challengeId: challenge.challengeId, token },
    });
  }

  /** A fresh login proves the password opens this account; it is only a check, so it is ended at once. */
  private async checkPassword(me: Me, password: string): Promise<void> {
    const check = await this.logIn(me.email, password).catch((error: unknown) => {
      if (isApiError(error) && error.status === 401) {
        throw new UserError('That is not your account password. Nothing was stored.');
      }
      throw error;
    });
    await this.server(check.sessionToken)
      .auth.logout()
      .catch(() => undefined); // it expires by itself
    if (check.userId !== me.userId) throw new UserError('That password opens another account. Nothing was stored.');
  }

  /** Logs in with this browser's device token for the email, and keeps the new one in its place. */
  private async logIn(email: string, password: string): Promise<ServerApi.LoginResponse> {
    const normalized = normalizeEmail(email);
    const secret = await this.vault.call('loginSecret', { email, password });
    const session = await this.server(null).auth.login({
      requestBody: { email, password: secret, deviceToken: deviceTokens.get(normalized) },
    });
    deviceTokens.set(normalized, session.deviceToken);
    return session;
  }

  private async fetchBlob(
    keyserver: KeyserverClient,
    userId: string,
  ): Promise<KeyserverApi.EncryptedPrivateKeyResponse | undefined> {
    try {
      return await keyserver.keys.getEncryptedPrivateKey({ userId });
    } catch (error) {
      if (isApiError(error) && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The server's client with the session's token (null: none, for register and login). */
  private server(token: string | null = sessionToken.get() ?? null): ServerClient {
    return new ServerClient({ BASE: this.config.serverUrl, TOKEN: token ?? undefined });
  }

  /** Every keyserver request carries a one-time access token, fetched from the server just before. */
  private keyserver(server: ServerClient): KeyserverClient {
    return new KeyserverClient({
      BASE: this.config.keyserverUrl,
      TOKEN: async () => (await server.accessTokens.getAccessToken()).accessToken,
    });
  }
}
