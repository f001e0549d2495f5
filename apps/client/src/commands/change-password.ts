import { setTimeout as sleep } from 'node:timers/promises';
import { read } from 'read';
import { isApiError, type KeyserverApi, type KeyserverClient, type ServerClient } from '@app/api-client';
import {
  DecryptionError,
  DEFAULT_KDF_PARAMS,
  deriveLoginSecret,
  KeyMismatchError,
  strongerKdf,
  toBase64Url,
} from '@app/crypto';
import { CliError, EXIT, explain } from '../cli-error.js';
import { type Context, keyserverClient, serverClient } from '../context.js';
import { readPassword } from '../password.js';
import { printable } from '../printable.js';
import type { StoredSession } from '../session-store.js';
import { passSessionChallenge } from './challenge.js';
import { type Blob, fetchBlob, type Keys, kdfLabel, unwrap, wrap, type Wrapped } from './key-blob.js';

type Staged = KeyserverApi.StagedKeyChangeResponse;

/** The same key wrapped anew (new password, or stronger KDF), to be staged on `baseVersion`. */
interface KeyChange {
  userId: string;
  fingerprint: string;
  /** The password the new blob opens with. */
  password: string;
  wrapped: Wrapped;
  baseVersion: number;
}

const UNCHANGED = 'Nothing was changed: the current password is still the valid one.';
/** Rounds of "look at the blob, settle what is pending" before giving up on a key that keeps changing. */
const LOOKS = 3;
const COMMIT_ATTEMPTS = 3;
const COSTS = ['memoryKiB', 'iterations', 'parallelism'] as const;

/**
 * A new password for the account and the private key, in the key change's
 * phases: stage the key wrapped under the new password, check that the
 * keyserver holds it, commit it on the server (which then accepts only the new
 * password), make it current. Safe to run again after any interruption: it
 * first looks at which password opens the stored key, and abandons what an
 * earlier run staged without committing.
 */
export async function changePassword(context: Context): Promise<void> {
  const session = await context.sessions.require();
  if (!process.env.KX_NEW_PASSWORD && !process.stdin.isTTY) {
    throw new CliError(
      'change-password reads the new password at a terminal, or from KX_NEW_PASSWORD; nothing was changed.',
      EXIT.usage,
    );
  }
  const currentPassword = await readPassword();
  const newPassword = await readNewPassword();
  if (newPassword === currentPassword)
    throw new CliError('The new password is the current one; nothing was changed.', EXIT.usage);
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  const { userId } = session;
  const me = await server.auth.getCurrentUser();
  const confirmed = me.publicKeyFingerprint;
  if (!confirmed) throw new CliError('This account has no confirmed key pair yet: run `create-keypair`.', EXIT.refused);
  let secured = me.secured;

  for (let look = 1; look <= LOOKS; look += 1) {
    const blob = await context.step('Fetch the encrypted private key (with a one-time access token)', () =>
      fetchBlob(keyserver, userId),
    );
    if (!blob)
      throw new CliError('The keyserver holds no private key for this account: run `create-keypair`.', EXIT.refused);
    if (blob.publicKeyFingerprint && blob.publicKeyFingerprint !== confirmed) throw new KeyMismatchError();
    const keys = await openWithCurrent(context, blob, { currentPassword, newPassword, userId, confirmed });
    if (!keys) {
      context.say('Your password is already changed; the new password is valid.');
      return;
    }
    if (!secured) {
      // Staging, abandoning and committing are for a session that proved it holds the key.
      await context.step('Answer a session challenge: session secured', () =>
        passSessionChallenge(server, keys.privateKey),
      );
      secured = true;
    }
    if (await abandonPending(context, keyserver, userId, blob)) continue;
    await changeTo(context, { server, keyserver, session, blob, keys, currentPassword, newPassword });
    return;
  }
  throw new CliError(
    `The key changed ${LOOKS} times while this ran (is another device changing it?). Run change-password again.`,
    EXIT.refused,
  );
}

/**
 * After an unlock: a key wrapped under weaker KDF parameters than recommended
 * is wrapped anew under the same password, through the phases of a password
 * change, without asking: to the login's kdfRecommended (the protocol's
 * defaults for a session saved by an older client). A failure costs
 * nothing (the password stays the same either way): it is said in a line, and
 * the next unlock tries again.
 */
export async function upgradeKdf(
  context: Context,
  input: {
    server: ServerClient;
    keyserver: KeyserverClient;
    session: StoredSession;
    blob: Blob;
    keys: Keys;
    password: string;
  },
): Promise<void> {
  const kdf = strongerKdf(input.blob.kdf, input.session.kdfRecommended ?? DEFAULT_KDF_PARAMS);
  if (!kdf) return;
  const { keyserver, session, keys, password } = input;
  let staged: Staged | undefined;
  let committed = false;
  try {
    await context.step(`Re-encrypt the private key under stronger KDF parameters (${kdfLabel(kdf)})`, async () => {
      const wrapped = await wrap(keys, password, session.userId, kdf);
      const change = {
        userId: session.userId,
        fingerprint: keys.fingerprint,
        password,
        wrapped,
        baseVersion: input.blob.version,
      };
      staged = await stage(keyserver, change);
      if (!(await holdsStaged(keyserver, change, staged)))
        throw new CliError('the keyserver does not hold the change as it was sent');
      await commit(input.server, staged, { currentPassword: await deriveLoginSecret(session.email, password) });
      committed = true;
      await apply(keyserver, change, staged);
    });
  } catch (error) {
    // Uncommitted, it would only count against the keyserver's limit of staged changes.
    if (staged && !committed) await abandon(keyserver, session.userId, staged.keyChangeId).catch(() => undefined);
    context.say(
      `    The private key stays under its older KDF parameters for now (${explain(error).message}); the next unlock tries again.`,
    );
  }
}

/** KX_NEW_PASSWORD if set; else typed twice at the terminal without echo (a typo would lock the key for good). */
async function readNewPassword(): Promise<string> {
  const fromEnv = process.env.KX_NEW_PASSWORD;
  if (fromEnv) return fromEnv;
  const password = await read({ prompt: 'New password: ', silent: true, replace: '' });
  if (!password) throw new CliError('A new password is required (type it, or set KX_NEW_PASSWORD).', EXIT.usage);
  if ((await read({ prompt: 'Repeat the new password: ', silent: true, replace: '' })) !== password) {
    throw new CliError('The two new passwords differ; nothing was changed.', EXIT.usage);
  }
  return password;
}

/** The key, opened with the current password; undefined when it opens with the new one instead (the change is done). */
async function openWithCurrent(
  context: Context,
  blob: Blob,
  input: { currentPassword: string; newPassword: string; userId: string; confirmed: string },
): Promise<Keys | undefined> {
  const { userId, confirmed } = input;
  try {
    return await context.step(`Decrypt it with the current password (${kdfLabel(blob.kdf)})`, () =>
      unwrap(blob, input.currentPassword, userId, confirmed),
    );
  } catch (error) {
    if (!(error instanceof DecryptionError)) throw error;
  }
  const opens = await context.step(`Try the new password instead (${kdfLabel(blob.kdf)})`, () =>
    unwrap(blob, input.newPassword, userId, confirmed).then(
      () => true,
      (error: unknown) => {
        if (error instanceof DecryptionError) return false;
        throw error;
      },
    ),
  );
  if (!opens)
    throw new CliError(
      'Wrong password: the private key opens with neither the current password nor the new one. Nothing was changed.',
      EXIT.wrongPassword,
    );
  return undefined;
}

/**
 * Abandons what earlier runs staged and never committed (they stopped, or
 * lost an answer). None can be committed from here: only the staging run got
 * its receipt. Answers true when one was committed meanwhile and is now
 * current: the blob must be looked at again.
 */
async function abandonPending(
  context: Context,
  keyserver: KeyserverClient,
  userId: string,
  blob: Blob,
): Promise<boolean> {
  for (const change of blob.pendingChanges) {
    const outcome = await context
      .step(`Abandon a change an earlier run staged (${printable(change.createdAt)}) and did not commit`, () =>
        abandon(keyserver, userId, change.keyChangeId),
      )
      .catch((error: unknown) => {
        throw unchanged(error);
      });
    if (outcome === 'current') {
      context.say(
        '    It was committed meanwhile, from another session, and is now current: looking at the key again.',
      );
      return true;
    }
  }
  return false;
}

async function changeTo(
  context: Context,
  input: {
    server: ServerClient;
    keyserver: KeyserverClient;
    session: StoredSession;
    blob: Blob;
    keys: Keys;
    currentPassword: string;
    newPassword: string;
  },
): Promise<void> {
  const { server, keyserver, session, keys, newPassword } = input;
  const { userId, email } = session;
  const [currentSecret, newSecret] = await context.step(
    'Derive the login secrets of both passwords (Argon2id, twice)',
    async () => [await deriveLoginSecret(email, input.currentPassword), await deriveLoginSecret(email, newPassword)],
  );
  const wrapped = await context.step(
    `Encrypt the private key under the new password (${kdfLabel(DEFAULT_KDF_PARAMS)})`,
    () => wrap(keys, newPassword, userId),
  );
  const change: KeyChange = {
    userId,
    fingerprint: keys.fingerprint,
    password: newPassword,
    wrapped,
    baseVersion: input.blob.version,
  };

  const staged = await context
    .step('Stage the change on the keyserver (with a one-time access token)', () => stage(keyserver, change))
    .catch((error: unknown) => {
      throw unchanged(error);
    });
  // The server must never accept a password that does not open what the keyserver will make current.
  const held = await context
    .step('Check that the keyserver holds it (decrypt it with the new password)', () =>
      holdsStaged(keyserver, change, staged),
    )
    .catch((error: unknown) => {
      throw unchanged(error);
    });
  if (!held) {
    await abandon(keyserver, userId, staged.keyChangeId).catch(() => undefined);
    throw new CliError(
      `The keyserver does not hold the change as it was sent; it was abandoned. ${UNCHANGED}`,
      EXIT.refused,
    );
  }
  await context
    .step('Commit it on the server: the new password replaces the current one', () =>
      commit(server, staged, { currentPassword: currentSecret, newPassword: newSecret }),
    )
    .catch(async (error: unknown) => {
      throw await commitRefused(error, keyserver, userId, staged);
    });
  const version = await context
    .step('Make it current on the keyserver', () => apply(keyserver, change, staged))
    .catch((error: unknown) => {
      const failure = explain(error);
      throw new CliError(
        `The password is changed: the new password is now the only valid one, and other sessions were ended. ` +
          `But the keyserver did not confirm it holds the key under it: ${failure.message} Run change-password again with the same two passwords to finish.`,
        failure.exitCode,
      );
    });
  context.say(
    `Password changed (key version ${version}). The new password is now the only valid one; other sessions were ended.`,
  );
}

/** A failure before the commit: this run changed nothing. */
function unchanged(error: unknown): CliError {
  const failure = explain(error);
  // A session ended by a change from another device says nothing about which password is valid now.
  const tail = failure.exitCode === EXIT.notSignedIn ? 'This run changed nothing.' : UNCHANGED;
  return new CliError(`${failure.message} ${tail}`, failure.exitCode);
}

/** Why the commit did not happen, or that it is not known whether it did. */
async function commitRefused(
  error: unknown,
  keyserver: KeyserverClient,
  userId: string,
  staged: Staged,
): Promise<CliError> {
  if (error instanceof CommitUnanswered) {
    return new CliError(
      `Unknown outcome: ${error.message}, so the password may already be changed. ` +
        'Run change-password again with the same two passwords: it finds out which one is valid, and finishes.',
      EXIT.unavailable,
    );
  }
  if (isApiError(error) && (error.status === 403 || error.status === 409)) {
    await abandon(keyserver, userId, staged.keyChangeId).catch(() => undefined);
    if (error.status === 403) {
      return new CliError(
        'Wrong password: the server refused the current password. Nothing was changed.',
        EXIT.wrongPassword,
      );
    }
    return new CliError(
      `${explain(error).message}. This run changed nothing, but another run (change-password, or unlock) moved the key meanwhile: ` +
        'run change-password again to see which password is valid.',
      EXIT.refused,
    );
  }
  return unchanged(error);
}

function wire(wrapped: Wrapped) {
  return {
    encryptedPrivateKey: toBase64Url(wrapped.encryptedPrivateKey),
    iv: toBase64Url(wrapped.iv),
    salt: toBase64Url(wrapped.salt),
    kdf: wrapped.kdf,
  };
}

function sameBlob(
  held: Pick<Blob, 'encryptedPrivateKey' | 'iv' | 'salt' | 'kdf'>,
  sent: ReturnType<typeof wire>,
): boolean {
  return (
    held.encryptedPrivateKey === sent.encryptedPrivateKey &&
    held.iv === sent.iv &&
    held.salt === sent.salt &&
    COSTS.every((cost) => held.kdf[cost] === sent.kdf[cost])
  );
}

/** Phase 1: the keyserver holds the new blob, staged on the current version (a secured session's token). */
function stage(keyserver: KeyserverClient, change: KeyChange): Promise<Staged> {
  return keyserver.keys.stageKeyChange({
    userId: change.userId,
    requestBody: { ...wire(change.wrapped), publicKeyFingerprint: change.fingerprint, baseVersion: change.baseVersion },
  });
}

/** Whether the keyserver now holds the change staged exactly as sent, and it opens with its password to the same key. */
async function holdsStaged(keyserver: KeyserverClient, change: KeyChange, staged: Staged): Promise<boolean> {
  const blob = await fetchBlob(keyserver, change.userId);
  const held = blob?.pendingChanges.find((pending) => pending.keyChangeId === staged.keyChangeId);
  if (!held || held.baseVersion !== change.baseVersion || held.publicKeyFingerprint !== change.fingerprint)
    return false;
  if (!sameBlob(held, wire(change.wrapped))) return false;
  return unwrap(held, change.password, change.userId, change.fingerprint).then(
    () => true,
    () => false,
  );
}

/** The commit's answer never came: it may have been made. */
class CommitUnanswered extends CliError {
  constructor(cause: unknown) {
    super(`the server did not answer the commit (${explain(cause).message})`, EXIT.unavailable);
  }
}

/** Phase 2, on the server. A lost answer is asked again: the committing session's retry is answered the same. */
async function commit(
  server: ServerClient,
  staged: Staged,
  secrets: { currentPassword: string; newPassword?: string },
) {
  const requestBody = {
    keyChangeId: staged.keyChangeId,
    baseVersion: staged.baseVersion,
    receipt: staged.receipt,
    ...secrets,
  };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await server.keyChanges.commitKeyChange({ requestBody });
    } catch (error) {
      if (!answerLost(error)) throw error;
      if (attempt === COMMIT_ATTEMPTS) throw new CommitUnanswered(error);
      await sleep(1000 * attempt);
    }
  }
}

/** No answer, or one that says nothing of the commit (a gateway's, a busy server's): it may have happened. */
function answerLost(error: unknown): boolean {
  if (error instanceof TypeError) return /fetch failed/i.test(error.message);
  if (error instanceof CliError) return error.exitCode === EXIT.unavailable; // no answer in time, or a 503 with Retry-After
  return isApiError(error) && [502, 503, 504].includes(error.status);
}

/**
 * Phase 3: the keyserver makes the committed change current (its next request
 * would anyway); then it must hold exactly the blob checked before the commit.
 */
async function apply(keyserver: KeyserverClient, change: KeyChange, staged: Staged): Promise<number> {
  const expected = change.baseVersion + 1;
  const { version } = await keyserver.keys.applyKeyChange({ userId: change.userId, keyChangeId: staged.keyChangeId });
  const blob = await fetchBlob(keyserver, change.userId);
  if (version !== expected || blob?.version !== expected || !sameBlob(blob, wire(change.wrapped))) {
    throw new CliError(
      `it holds version ${blob?.version ?? 'none'} of the key, where this change makes version ${expected}.`,
      EXIT.failure,
    );
  }
  return expected;
}

/** 'abandoned' (or gone already); 'current' when the server had committed it and the keyserver made it current. */
async function abandon(
  keyserver: KeyserverClient,
  userId: string,
  keyChangeId: string,
): Promise<'abandoned' | 'current'> {
  try {
    await keyserver.keys.abandonKeyChange({ userId, keyChangeId });
    return 'abandoned';
  } catch (error) {
    if (isApiError(error) && error.status === 404) return 'abandoned';
    if (isApiError(error) && error.status === 409) return 'current';
    throw error;
  }
}
