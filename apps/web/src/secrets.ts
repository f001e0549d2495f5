import { isApiError, type ServerApi, type ServerClient } from '@app/api-client';
import type { Account, Me } from './account.js';
import { UserError } from './errors.js';
import { type Trust, trustStore } from './storage.js';
import { type Vault, VaultError } from './vault.js';
import { OWN_KEY, type OwnSealedEnvelope, type SealRecipient } from './vault-protocol.js';

/** A member's key as this page checked it: the fingerprint computed here from the bytes, and the pin it was held to. */
export interface MemberKey {
  userId: string;
  /** Base64url; OWN_KEY for the user's own, which the worker holds. */
  publicKey: string;
  fingerprint: string;
  pinned: boolean;
}

export interface OpenedSecret {
  described: ServerApi.SecretResponse;
  /** The secret in hex, only when asked for. */
  secret?: string;
}

/** A new version ready to seal, once its members are confirmed: the rotation, or the removal that rotates. */
export interface NextVersion {
  secretId: string;
  name: string;
  version: number;
  removed?: string;
  keys: MemberKey[];
}

/**
 * Shared secrets (issue 12) as this app runs them, with the reference
 * client's safeguards: sealing and opening in the key worker; each member's
 * fingerprint computed here and pinned on first use (a changed key refused);
 * the highest version seen per secret remembered (a lower one refused); a new
 * version sealed only to members the user named or confirmed.
 */
export class SharedSecrets {
  constructor(
    private readonly account: Account,
    private readonly vault: Vault,
  ) {}

  private server(): ServerClient {
    return this.account.api();
  }

  async list(): Promise<ServerApi.SecretListItem[]> {
    const items: ServerApi.SecretListItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.server().secrets.listSecrets({ cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return items;
  }

  /** The current version, opened and checked; the secret itself only with `reveal`. */
  async open(me: Me, secretId: string, reveal = false): Promise<OpenedSecret> {
    const trust = trustStore.get(me.userId);
    const { described, sealed, sender } = await this.current(me, trust, secretId);
    const { secret } = await this.vault.call('openSecret', { ...sealed, reveal }).catch(refusedEnvelope);
    remember(me, [sender], secretId, described.version);
    return { described, secret };
  }

  /** A fresh secret, version 1, sealed to the user and every member named (naming them confirms them). */
  async create(me: Me, name: string, memberIds: string[]): Promise<string> {
    const trust = trustStore.get(me.userId);
    const secretId = crypto.randomUUID();
    const others = [...new Set(memberIds.map(userIdOf))].filter((id) => id !== me.userId);
    const keys = [ownKey(me), ...(await Promise.all(others.map((id) => this.memberKey(me, trust, id))))];
    const sealed = await this.vault.call('sealSecret', { secretId, version: 1, recipients: keys.map(recipient) });
    await this.server()
      .secrets.createSecret({
        requestBody: {
          secretId,
          name,
          version: 1,
          commitment: sealed.commitment,
          envelopes: withFingerprints(sealed.envelopes, keys),
        },
      })
      .catch(conflictInWords);
    remember(me, keys, secretId, 1);
    return secretId;
  }

  /** The current version's secret, opened here, sealed to one more member (named, so confirmed). */
  async addMember(me: Me, secretId: string, userId: string): Promise<MemberKey> {
    const newMember = userIdOf(userId);
    const trust = trustStore.get(me.userId);
    const { described, sealed, sender } = await this.current(me, trust, secretId);
    const key = await this.memberKey(me, trust, newMember);
    const [envelope] = await this.vault
      .call('sealSecret', { secretId, version: described.version, recipients: [recipient(key)], from: sealed })
      .then((version) => withFingerprints(version.envelopes, [key]))
      .catch(refusedEnvelope);
    await this.server()
      .secrets.addSecretMember({ secretId, requestBody: { version: described.version, ...envelope } })
      .catch(conflictInWords);
    remember(me, [sender, key], secretId, described.version);
    return key;
  }

  /**
   * The next version's members (all but `removed`), each key checked against
   * its pin; the page lists them, flagging the ones not pinned, for the user
   * to confirm before `sealVersion`. The current version is opened first: a
   * dishonest server is caught before anything is sealed.
   */
  async nextVersion(me: Me, secretId: string, removed?: string): Promise<NextVersion> {
    const trust = trustStore.get(me.userId);
    const { described, sealed, sender } = await this.current(me, trust, secretId);
    await this.vault.call('openSecret', { ...sealed, reveal: false }).catch(refusedEnvelope);
    remember(me, [sender], secretId, described.version);
    if (removed !== undefined && !described.members.some((m) => m.userId === removed)) {
      throw new UserError('That user is not a member of this secret.');
    }
    const pinnedNow = trustStore.get(me.userId); // the sender just pinned included
    const keys = [ownKey(me)];
    for (const { userId } of described.members) {
      if (userId !== me.userId && userId !== removed) keys.push(await this.memberKey(me, pinnedNow, userId));
    }
    return { secretId, name: described.name, version: described.version + 1, removed, keys };
  }

  /** A fresh secret sealed to the confirmed members as the next version; a removal and its rotation in one step. */
  async sealVersion(me: Me, next: NextVersion): Promise<void> {
    const { secretId, version, removed, keys } = next;
    const sealed = await this.vault.call('sealSecret', { secretId, version, recipients: keys.map(recipient) });
    const requestBody = {
      version,
      commitment: sealed.commitment,
      envelopes: withFingerprints(sealed.envelopes, keys),
    };
    const secrets = this.server().secrets;
    await (
      removed
        ? secrets.removeSecretMember({ secretId, userId: removed, requestBody })
        : secrets.rotateSecret({ secretId, requestBody })
    ).catch(conflictInWords);
    remember(me, keys, secretId, version);
  }

  leave(secretId: string): Promise<void> {
    return this.server().secrets.leaveSecret({ secretId }).catch(conflictInWords);
  }

  delete(secretId: string): Promise<void> {
    return this.server().secrets.deleteSecret({ secretId }).catch(conflictInWords);
  }

  setRole(secretId: string, userId: string, role: 'owner' | 'member'): Promise<void> {
    return this.server()
      .secrets.setSecretMemberRole({ secretId, userId, requestBody: { role } })
      .catch(conflictInWords);
  }

  /**
   * Forgets the key pinned for a user (who really made a new key, checked
   * with them another way): the next seal to or envelope from them pins the
   * key they have then. The fingerprint forgotten, or undefined if none.
   */
  forgetPin(me: Me, userId: string): string | undefined {
    const id = userIdOf(userId);
    const trust = trustStore.get(me.userId);
    const forgotten = trust.pins[id];
    delete trust.pins[id];
    trustStore.set(me.userId, trust);
    return forgotten;
  }

  /** Whether this browser pinned the user's key (the user's own counts). */
  pinned(me: Me, userId: string): string | undefined {
    return userId === me.userId ? (me.publicKeyFingerprint ?? undefined) : trustStore.get(me.userId).pins[userId];
  }

  /**
   * The current version and the user's envelope of it, refused when lower
   * than one seen here or from a key other than the sender's pinned one. The
   * sender is pinned once the envelope has opened (`remember`).
   */
  private async current(
    me: Me,
    trust: Trust,
    secretId: string,
  ): Promise<{ described: ServerApi.SecretResponse; sealed: OwnSealedEnvelope; sender: MemberKey }> {
    const described = await this.server()
      .secrets.getSecret({ secretId })
      .catch((error: unknown) => {
        if (isApiError(error) && error.status === 404)
          throw new UserError('No such secret, or you are not a member of it.');
        throw error;
      });
    const seen = trust.versions[secretId] ?? 0;
    if (described.version < seen) {
      throw new UserError(
        `Refused: the server offers version ${described.version} of this secret, but this browser has seen version ${seen} (a rollback).`,
      );
    }
    const sender = await this.memberKey(me, trust, described.envelope.senderId);
    return {
      described,
      sender,
      sealed: {
        secretId,
        version: described.version,
        recipientId: me.userId,
        commitment: described.commitment,
        enc: described.envelope.enc,
        ciphertext: described.envelope.ciphertext,
        senderPublicKey: sender.publicKey,
      },
    };
  }

  /**
   * A user's confirmed key as the account's look-up gives it (its fingerprint
   * recomputed from the bytes, the server's field refused if it differs),
   * held to this browser's pin.
   */
  private async memberKey(me: Me, trust: Trust, userId: string): Promise<MemberKey> {
    if (userId === me.userId) return ownKey(me);
    const key = await this.account.lookUp(userId);
    const pin = trust.pins[userId];
    if (pin !== undefined && pin !== key.fingerprint) {
      throw new UserError(
        `Refused: ${userId}'s key is not the one this browser pinned (pinned ${pin}, served ${key.fingerprint}). ` +
          'Compare fingerprints with them another way; if they really made a new key, forget the old pin under "Forget a pinned key".',
      );
    }
    return { userId, publicKey: key.publicKey, fingerprint: key.fingerprint, pinned: pin !== undefined };
  }
}

function ownKey(me: Me): MemberKey {
  return { userId: me.userId, publicKey: OWN_KEY, fingerprint: me.publicKeyFingerprint!, pinned: true };
}

const recipient = ({ userId, publicKey }: MemberKey): SealRecipient => ({ userId, publicKey });

/** Each envelope with the fingerprint of the key it was sealed to, as computed here. */
function withFingerprints(
  envelopes: Array<{ userId: string; enc: string; ciphertext: string }>,
  keys: MemberKey[],
): ServerApi.Envelope[] {
  const byUser = new Map(keys.map((key) => [key.userId, key.fingerprint]));
  if (envelopes.length !== keys.length) throw new Error('An envelope for every key, and only those');
  return envelopes.map((envelope) => ({ ...envelope, keyFingerprint: byUser.get(envelope.userId)! }));
}

/**
 * Pins the keys used and raises the version seen: both only ever after
 * success, into what is stored now (another tab of the same user may have
 * pinned or seen more meanwhile: never lowered, never replaced).
 */
function remember(me: Me, keys: MemberKey[], secretId: string, version: number): void {
  const trust = trustStore.get(me.userId);
  for (const key of keys) if (key.userId !== me.userId) trust.pins[key.userId] ??= key.fingerprint;
  trust.versions[secretId] = Math.max(trust.versions[secretId] ?? 0, version);
  trustStore.set(me.userId, trust);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function userIdOf(value: string): string {
  const id = value.trim().toLowerCase();
  if (!UUID.test(id)) throw new UserError(`A user id is a UUID: "${value.trim()}" is not one.`);
  return id;
}

/** An envelope that did not open, or opened to another secret than its commitment names, in words. */
function refusedEnvelope(error: unknown): never {
  if (error instanceof VaultError && error.code === 'commitment_mismatch') {
    throw new UserError('Refused: the secret in your envelope is not the one its commitment names.');
  }
  if (error instanceof VaultError && error.code === 'decryption_failed') {
    throw new UserError(
      'Refused: your envelope does not open as sealed by its sender for this secret and version (altered, moved or not theirs).',
    );
  }
  throw error;
}

/** A 409 names the users involved: said in words. */
function conflictInWords(error: unknown): never {
  if (isApiError(error) && error.status === 409) {
    const body = error.body as ServerApi.SecretConflictResponse | undefined;
    const ids = [...(body?.changedUserIds ?? []), ...(body?.missingUserIds ?? []), ...(body?.extraUserIds ?? [])];
    const message = body?.message ?? 'That conflicts with a change made elsewhere.';
    throw new UserError(ids.length ? `${message} (${ids.join(', ')})` : `${message} Reload and try again.`);
  }
  if (isApiError(error) && error.status === 404) throw new UserError('No such secret, or you are not a member of it.');
  throw error;
}
