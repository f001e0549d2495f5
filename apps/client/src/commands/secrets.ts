import { randomUUID } from 'node:crypto';
import { read } from 'read';
import { isApiError, type ServerApi, type ServerClient } from '@app/api-client';
import {
  CommitmentMismatchError,
  DecryptionError,
  fingerprint,
  fromBase64Url,
  generateSharedSecret,
  openEnvelope,
  sealEnvelope,
  toBase64Url,
  toHex,
  unwrapHeldKey,
} from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';
import { type Context, keyserverClient, serverClient } from '../context.js';
import { isUuid } from '../ids.js';
import { readPassword } from '../password.js';
import type { StoredSession, Trust } from '../session-store.js';
import { passSessionChallenge } from './challenge.js';
import { kdfLabel } from './key-blob.js';
import { fetchConfirmedBlob } from './keys.js';

export interface SecretOptions {
  name?: string;
  member?: string[];
  user?: string;
  role?: string;
  reveal?: boolean;
}

/** The signed-in user with the key unlocked (held non-extractable), the session secured, and this device's trust. */
interface Unlocked {
  session: StoredSession;
  server: ServerClient;
  keyPair: CryptoKeyPair;
  publicKey: Uint8Array;
  fingerprint: string;
  trust: Trust;
}

interface MemberKey {
  userId: string;
  publicKey: Uint8Array;
  fingerprint: string;
}

const SUBCOMMANDS: Record<string, (context: Context, options: SecretOptions, id?: string) => Promise<void>> = {
  create,
  list,
  show,
  'add-member': addMember,
  'remove-member': removeMember,
  rotate,
  leave,
  delete: deleteSecret,
  role,
};

/** `secret <subcommand> [id]`: each asks for the password and unlocks the key, which it never stores. */
export async function secret(
  context: Context,
  options: SecretOptions,
  subcommand?: string,
  id?: string,
): Promise<void> {
  const run = subcommand === undefined ? undefined : SUBCOMMANDS[subcommand];
  if (!run) throw new CliError(`secret takes one of: ${Object.keys(SUBCOMMANDS).join(', ')}.`, EXIT.usage);
  const needsId = !['create', 'list'].includes(subcommand!);
  if (needsId !== (id !== undefined)) {
    throw new CliError(
      needsId ? `secret ${subcommand} takes a secret id.` : `secret ${subcommand} takes no id.`,
      EXIT.usage,
    );
  }
  if (id !== undefined && !isUuid(id)) throw new CliError('A secret id is a UUID.', EXIT.usage);
  await run(context, options, id?.toLowerCase());
}

async function create(context: Context, options: SecretOptions): Promise<void> {
  if (!options.name) throw new CliError('secret create needs --name.', EXIT.usage);
  const named = userIds(options.member ?? [], '--member');
  const me = await unlocked(context);
  const others = [...new Set(named)].filter((id) => id !== me.session.userId);
  const secretId = randomUUID();
  const keys = [ownKey(me), ...(await Promise.all(others.map((id) => memberKey(me, id))))];
  const sealed = await context.step(`Seal a fresh secret to ${keys.length} member(s)`, () =>
    sealTo(me, secretId, 1, generateSharedSecret(), keys),
  );
  await context.step('Create the secret on the server', () =>
    me.server.secrets.createSecret({
      requestBody: {
        secretId,
        name: options.name!,
        version: 1,
        commitment: sealed.commitment,
        envelopes: sealed.envelopes,
      },
    }),
  );
  await remember(context, me, keys, secretId, 1);
  context.say(`Secret ${secretId} created (version 1). Commitment: ${sealed.commitment}`);
}

async function list(context: Context): Promise<void> {
  const me = await unlocked(context);
  let cursor: string | undefined;
  do {
    const page = await me.server.secrets.listSecrets({ cursor });
    for (const item of page.items) {
      const rotate = item.rotationRequired ? '  (a member left: rotate)' : '';
      context.say(
        `${item.secretId}  v${item.version}  ${item.role}  ${item.memberCount} member(s)  ${item.name}${rotate}`,
      );
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Opens the caller's envelope and prints the commitment (members compare it); the secret itself only with --reveal. */
async function show(context: Context, options: SecretOptions, secretId?: string): Promise<void> {
  const me = await unlocked(context);
  const { described, secret } = await openCurrent(context, me, secretId!);
  context.say(`${described.name} (${secretId}): version ${described.version}, ${described.members.length} member(s)`);
  context.say(`Commitment: ${described.commitment}`);
  if (described.rotationRequired) context.say('A member left since the last rotation: an owner should rotate.');
  for (const m of described.members) {
    const pinned = m.userId === me.session.userId ? 'you' : me.trust.pins[m.userId] ? 'pinned' : 'not pinned yet';
    context.say(`  ${m.userId}  ${m.role}  ${m.keyFingerprint}  (${pinned})`);
  }
  if (options.reveal) context.say(`Secret: ${toHex(secret)}`);
}

async function addMember(context: Context, options: SecretOptions, secretId?: string): Promise<void> {
  const [userId] = userIds(options.user ? [options.user] : [], '--user');
  if (!userId) throw new CliError('secret add-member needs --user.', EXIT.usage);
  const me = await unlocked(context);
  const { described, secret } = await openCurrent(context, me, secretId!);
  const key = await memberKey(me, userId);
  const sealed = await sealTo(me, secretId!, described.version, secret, [key]);
  await context.step(`Add ${userId} to version ${described.version}`, () =>
    me.server.secrets.addSecretMember({
      secretId: secretId!,
      requestBody: { version: described.version, ...sealed.envelopes[0] },
    }),
  );
  await remember(context, me, [key], secretId!, described.version);
  context.say(`Added ${userId} (fingerprint ${key.fingerprint}).`);
}

/** Removal rotates: a fresh secret for everyone else, which the removed member never receives. */
async function removeMember(context: Context, options: SecretOptions, secretId?: string): Promise<void> {
  const [userId] = userIds(options.user ? [options.user] : [], '--user');
  if (!userId) throw new CliError('secret remove-member needs --user.', EXIT.usage);
  const me = await unlocked(context);
  const version = await newVersion(context, me, secretId!, userId, options);
  context.say(`Removed ${userId}; the secret is rotated to version ${version}.`);
}

async function rotate(context: Context, options: SecretOptions, secretId?: string): Promise<void> {
  const me = await unlocked(context);
  const version = await newVersion(context, me, secretId!, undefined, options);
  context.say(`Rotated to version ${version}.`);
}

async function leave(context: Context, _options: SecretOptions, secretId?: string): Promise<void> {
  const me = await unlocked(context);
  await context.step('Leave the secret', () => me.server.secrets.leaveSecret({ secretId: secretId! }));
  context.say('Left. The other members are asked to rotate.');
}

async function deleteSecret(context: Context, _options: SecretOptions, secretId?: string): Promise<void> {
  const me = await unlocked(context);
  await context.step('Delete the secret, every version of it', () =>
    me.server.secrets.deleteSecret({ secretId: secretId! }),
  );
  context.say('Deleted.');
}

async function role(context: Context, options: SecretOptions, secretId?: string): Promise<void> {
  const [userId] = userIds(options.user ? [options.user] : [], '--user');
  if (!userId || (options.role !== 'owner' && options.role !== 'member')) {
    throw new CliError('secret role needs --user and --role owner|member.', EXIT.usage);
  }
  const me = await unlocked(context);
  await context.step(`Make ${userId} ${options.role === 'owner' ? 'an owner' : 'a member'}`, () =>
    me.server.secrets.setSecretMemberRole({
      secretId: secretId!,
      userId,
      requestBody: { role: options.role as 'owner' | 'member' },
    }),
  );
  context.say('Role set.');
}

/**
 * Seals a fresh secret as the next version to every member but `removed`.
 * The remaining members are listed with their fingerprints; the ones this
 * device has not pinned must be confirmed (named with --member, or at the
 * terminal), so nothing is sealed to a key nobody checked.
 */
async function newVersion(
  context: Context,
  me: Unlocked,
  secretId: string,
  removed: string | undefined,
  options: SecretOptions,
): Promise<number> {
  const { described } = await openCurrent(context, me, secretId);
  if (removed !== undefined && !described.members.some((m) => m.userId === removed)) {
    throw new CliError(`${removed} is not a member of this secret.`, EXIT.refused);
  }
  const remaining = described.members.map((m) => m.userId).filter((id) => id !== removed);
  const keys = [ownKey(me)];
  for (const userId of remaining.filter((id) => id !== me.session.userId)) keys.push(await memberKey(me, userId));
  context.say(`The next version is sealed to:`);
  for (const key of keys)
    context.say(`  ${key.userId}  ${key.fingerprint}${me.trust.pins[key.userId] ? '' : '  (not pinned)'}`);
  await confirmUnpinned(
    me,
    keys.filter((key) => key.userId !== me.session.userId && !me.trust.pins[key.userId]),
    new Set(options.member ?? []),
  );
  const version = described.version + 1;
  const sealed = await context.step(`Seal a fresh secret to ${keys.length} member(s)`, () =>
    sealTo(me, secretId, version, generateSharedSecret(), keys),
  );
  const requestBody = { version, commitment: sealed.commitment, envelopes: sealed.envelopes };
  await context.step(
    removed ? `Remove ${removed} and rotate to version ${version}` : `Rotate to version ${version}`,
    () =>
      removed
        ? me.server.secrets.removeSecretMember({ secretId, userId: removed, requestBody })
        : me.server.secrets.rotateSecret({ secretId, requestBody }),
  );
  await remember(context, me, keys, secretId, version);
  return version;
}

async function confirmUnpinned(me: Unlocked, unpinned: MemberKey[], named: Set<string>): Promise<void> {
  const unconfirmed = unpinned.filter((key) => !named.has(key.userId));
  if (unconfirmed.length === 0) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      `Not sealed: confirm the members this device has not pinned by naming them (--member ${unconfirmed.map((k) => k.userId).join(' --member ')}), after comparing their fingerprints with them.`,
      EXIT.refused,
    );
  }
  for (const key of unconfirmed) {
    const answer = await read({ prompt: `Seal to ${key.userId} (fingerprint ${key.fingerprint})? [y/N] ` });
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('Not sealed: a member was not confirmed.', EXIT.refused);
  }
}

/**
 * The current version, opened: refuses a version lower than one this device
 * has seen (rollback), a sender key that changed since it was pinned, an
 * envelope that does not open, and a secret that is not the one committed to.
 */
async function openCurrent(
  context: Context,
  me: Unlocked,
  secretId: string,
): Promise<{ described: ServerApi.SecretResponse; secret: Uint8Array }> {
  const described = await me.server.secrets.getSecret({ secretId }).catch((error: unknown) => {
    if (isApiError(error) && error.status === 404) {
      throw new CliError('No such secret, or you are not a member of it.', EXIT.refused);
    }
    throw error;
  });
  const seen = me.trust.versions[secretId] ?? 0;
  if (described.version < seen) {
    throw new CliError(
      `Refused: the server offers version ${described.version} of this secret, but this device has seen version ${seen} (a rollback).`,
      EXIT.untrusted,
    );
  }
  const sender = await memberKey(me, described.envelope.senderId);
  let secret: Uint8Array;
  try {
    secret = await context.step(`Open your envelope of version ${described.version}`, () =>
      openEnvelope({
        secretId,
        version: described.version,
        recipientId: me.session.userId,
        envelope: {
          enc: fromBase64Url(described.envelope.enc),
          ciphertext: fromBase64Url(described.envelope.ciphertext),
        },
        commitment: described.commitment,
        recipient: me.keyPair,
        senderPublicKey: sender.publicKey,
      }),
    );
  } catch (error) {
    if (error instanceof CommitmentMismatchError) {
      throw new CliError('Refused: the secret in your envelope is not the one its commitment names.', EXIT.untrusted);
    }
    if (error instanceof DecryptionError) {
      throw new CliError(
        `Refused: your envelope does not open as sealed by ${sender.userId} for this secret and version (altered, moved or not theirs).`,
        EXIT.untrusted,
      );
    }
    throw error;
  }
  await remember(context, me, [sender], secretId, described.version);
  return { described, secret };
}

async function sealTo(me: Unlocked, secretId: string, version: number, secret: Uint8Array, keys: MemberKey[]) {
  let commitment = '';
  const envelopes: ServerApi.Envelope[] = [];
  for (const key of keys) {
    const sealed = await sealEnvelope({
      secretId,
      version,
      recipientId: key.userId,
      secret,
      recipientPublicKey: key.publicKey,
      sender: me.keyPair,
    });
    commitment = sealed.commitment;
    envelopes.push({
      userId: key.userId,
      keyFingerprint: key.fingerprint,
      enc: toBase64Url(sealed.enc),
      ciphertext: toBase64Url(sealed.ciphertext),
    });
  }
  secret.fill(0);
  return { commitment, envelopes };
}

function ownKey(me: Unlocked): MemberKey {
  return { userId: me.session.userId, publicKey: me.publicKey, fingerprint: me.fingerprint };
}

/**
 * A user's confirmed key, its fingerprint computed here from the bytes (never
 * the server's field), checked against this device's pin (trust on first use).
 */
async function memberKey(me: Unlocked, userId: string): Promise<MemberKey> {
  if (userId === me.session.userId) return ownKey(me);
  const key = await me.server.publicKeys.getPublicKeyForUser({ userId }).catch((error: unknown) => {
    if (isApiError(error) && error.status === 404)
      throw new CliError(`${userId} has no confirmed public key.`, EXIT.refused);
    throw error;
  });
  const publicKey = fromBase64Url(key.publicKey);
  const computed = await fingerprint(publicKey);
  const pinned = me.trust.pins[userId];
  if (pinned !== undefined && pinned !== computed) {
    throw new CliError(
      `Refused: ${userId}'s key is not the one this device pinned (pinned ${pinned}, served ${computed}). ` +
        'Compare fingerprints with them out of band; if they really have a new key, remove their pin from trust.json in KX_HOME.',
      EXIT.untrusted,
    );
  }
  return { userId, publicKey, fingerprint: computed };
}

/** Pins the keys used and raises the version seen: both only ever after success. */
async function remember(
  context: Context,
  me: Unlocked,
  keys: MemberKey[],
  secretId: string,
  version: number,
): Promise<void> {
  for (const key of keys) if (key.userId !== me.session.userId) me.trust.pins[key.userId] ??= key.fingerprint;
  me.trust.versions[secretId] = Math.max(me.trust.versions[secretId] ?? 0, version);
  await context.sessions.saveTrust(me.session.userId, me.trust);
}

/** Seed flows 2 and 3: the key, fetched and opened non-extractable, and the session secured (secret routes need it). */
async function unlocked(context: Context): Promise<Unlocked> {
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  const password = await readPassword();
  const { confirmed, blob } = await fetchConfirmedBlob(context, server, keyserver, session.userId);
  const held = await context.step(`Decrypt it with the password (${kdfLabel(blob.kdf)})`, () =>
    unwrapHeldKey({
      encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
      iv: fromBase64Url(blob.iv),
      salt: fromBase64Url(blob.salt),
      kdf: blob.kdf,
      password,
      userId: session.userId,
      publicKeyFingerprint: confirmed,
    }),
  );
  await context.step('Answer a session challenge: session secured', () => passSessionChallenge(server, held.keyPair));
  return {
    session,
    server,
    keyPair: held.keyPair,
    publicKey: held.publicKey,
    fingerprint: held.fingerprint,
    trust: await context.sessions.trust(session.userId),
  };
}

function userIds(values: string[], flag: string): string[] {
  for (const value of values) if (!isUuid(value)) throw new CliError(`${flag} takes a user id (a UUID).`, EXIT.usage);
  return values.map((value) => value.toLowerCase());
}
