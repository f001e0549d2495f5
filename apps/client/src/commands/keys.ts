import type { KeyserverClient, ServerClient } from '@app/api-client';
import { isApiError } from '@app/api-client';
import {
  DecryptionError,
  DEFAULT_KDF_PARAMS,
  deriveLoginSecret,
  fingerprint,
  generateKeyPair,
  KdfBudgetExceededError,
  KEY_ALGORITHM,
  KeyMismatchError,
  toBase64Url,
} from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';
import { type Context, keyserverClient, serverClient } from '../context.js';
import { readPassword } from '../password.js';
import type { StoredSession } from '../session-store.js';
import { checkLoginSecret } from './auth.js';
import { upgradeKdf } from './change-password.js';
import { ChallengeUnopenedError, passSessionChallenge } from './challenge.js';
import { type Blob, fetchBlob, kdfLabel, type Keys, unwrap, wrap, type Wrapped } from './key-blob.js';

const RACE = 'another create-keypair for this account is running or ran since; run create-keypair again';

/**
 * Seed flow 1, ending with the session challenge that confirms the key. Safe to
 * run again after a broken attempt: a pending public key is replaced, and a
 * blob the keyserver already holds is reused when it decrypts with the password
 * to the key it names. The key is confirmed only once the keyserver is seen to
 * hold it: a confirmed key whose blob is another key's locks the account out.
 */
export async function createKeypair(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  if ((await server.auth.getCurrentUser()).hasKeyPair) {
    throw new CliError('This account already has a confirmed key pair: run `unlock` instead.', EXIT.refused);
  }
  const password = await readPassword({ confirm: true });
  const { userId } = session;
  await context.step('Check the password with a fresh login (Argon2id)', () =>
    checkAccountPassword(context, session, password),
  );

  const earlier = await context.step('Look for a key stored by an earlier attempt', () => fetchBlob(keyserver, userId));
  const reused = earlier && (await reusable(context, earlier, password, userId));
  const keys = reused ?? (await context.step('Create an X25519 key pair', newKeys));
  let blob = reused
    ? undefined
    : await context.step(`Encrypt the private key (${kdfLabel(DEFAULT_KDF_PARAMS)})`, () =>
        wrap(keys, password, userId),
      );

  await context.step('Store the public key on the server (pending)', () =>
    raced(
      server.publicKeys.putPublicKey({
        requestBody: { algorithm: KEY_ALGORITHM, publicKey: toBase64Url(keys.publicKey) },
      }),
    ),
  );
  const store = (label: string, wrapped: Wrapped) =>
    context.step(label, () => storeBlob(keyserver, userId, wrapped, keys));
  if (blob) await store('Store the encrypted private key on the keyserver (with a one-time access token)', blob);

  // Another run may have stored its blob since: confirm only a key the keyserver is seen to hold.
  const check = () =>
    context.step('Check that the keyserver holds this key (decrypt it again)', () =>
      holdsKey(keyserver, userId, password, keys),
    );
  if (!(await check())) {
    context.say('    The keyserver holds another key; storing this one again.');
    blob ??= await context.step(`Encrypt the private key (${kdfLabel(DEFAULT_KDF_PARAMS)})`, () =>
      wrap(keys, password, userId),
    );
    await store('Store the encrypted private key again', blob);
    if (!(await check())) throw new CliError(`The keyserver still holds another key: ${RACE}.`, EXIT.refused);
  }
  await context
    .step('Answer a session challenge: key confirmed, session secured', () =>
      passSessionChallenge(server, keys.privateKey),
    )
    .catch((error: unknown) => {
      // Sealed to another key than ours: a concurrent run put its public key after our check.
      if (error instanceof ChallengeUnopenedError) throw new ChallengeUnopenedError(RACE);
      throw error;
    });
  // A write the keyserver validated before our confirmation can still land after it. This session is now
  // secured (it proved it holds the key), which is what the keyserver asks of a repair.
  if (!(await check())) {
    context.say('    The keyserver holds another key since the confirmation; repairing it from this secured session.');
    blob ??= await context.step(`Encrypt the private key (${kdfLabel(DEFAULT_KDF_PARAMS)})`, () =>
      wrap(keys, password, userId),
    );
    await store('Store the encrypted private key again', blob);
    if (!(await check())) throw new CliError(`The keyserver still holds another key: ${RACE}.`, EXIT.refused);
  }
  context.say(`Key pair created. Fingerprint: ${keys.fingerprint}`);
}

/**
 * The server's word on which key is ours (checked before the key is used),
 * and the blob the keyserver holds for it: refused when there is no
 * confirmed key or no blob, and a mismatch when the blob names another key.
 */
export async function fetchConfirmedBlob(
  context: Context,
  server: ServerClient,
  keyserver: KeyserverClient,
  userId: string,
): Promise<{ confirmed: string; blob: Blob }> {
  const confirmed = (await server.auth.getCurrentUser()).publicKeyFingerprint;
  if (!confirmed) throw new CliError('This account has no confirmed key pair yet: run `create-keypair`.', EXIT.refused);
  const blob = await context.step('Fetch the encrypted private key (with a one-time access token)', () =>
    fetchBlob(keyserver, userId),
  );
  if (!blob)
    throw new CliError('The keyserver holds no private key for this account: run `create-keypair`.', EXIT.refused);
  if (blob.publicKeyFingerprint && blob.publicKeyFingerprint !== confirmed) throw new KeyMismatchError();
  return { confirmed, blob };
}

/** Seed flow 2 (access token, fetch, decrypt), then flow 3 (session challenge). */
export async function unlock(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  const password = await readPassword();
  const { confirmed, blob } = await fetchConfirmedBlob(context, server, keyserver, session.userId);
  const keys = await context.step(`Decrypt it with the password (${kdfLabel(blob.kdf)})`, () =>
    unwrap(blob, password, session.userId, blob.publicKeyFingerprint ?? undefined),
  );
  // Blobs stored before fingerprints existed name no key: the decrypted one is checked all the same.
  if (keys.fingerprint !== confirmed) throw new KeyMismatchError();
  await context.step('Answer a session challenge: session secured', () =>
    passSessionChallenge(server, keys.privateKey),
  );
  // Only now: a key change needs a secured session, and the password is known to open the key.
  await upgradeKdf(context, { server, keyserver, session, blob, keys, password });
  context.say(`Unlocked. Fingerprint: ${keys.fingerprint}`);
}

/**
 * A key wrapped under a mistyped password could never be unlocked: the password
 * must open the account. The login it makes is only a check, so it is ended.
 */
async function checkAccountPassword(context: Context, session: StoredSession, password: string): Promise<void> {
  await checkLoginSecret(context, session, await deriveLoginSecret(session.email, password), {
    wrongPassword: 'This is not your account password; nothing was stored. Run create-keypair again with it.',
    otherAccount: 'That password opens another account than the one signed in; run `login` again.',
  });
}

/** An earlier attempt's blob, when it decrypts with the password to the key it names; else undefined (it will be replaced). */
async function reusable(context: Context, blob: Blob, password: string, userId: string): Promise<Keys | undefined> {
  if (!blob.publicKeyFingerprint) {
    context.say('    A stored key names no public key; it will be replaced.');
    return undefined;
  }
  const named = blob.publicKeyFingerprint;
  try {
    const keys = await context.step(`Decrypt it (${kdfLabel(blob.kdf)})`, () => unwrap(blob, password, userId, named));
    context.say('    The keyserver holds a key from an earlier attempt; using it.');
    return keys;
  } catch (error) {
    context.say(`    A stored key cannot be used (${whyUnusable(error)}); it will be replaced.`);
    return undefined;
  }
}

function whyUnusable(error: unknown): string {
  if (error instanceof KeyMismatchError) return 'it is not the key it names';
  if (error instanceof DecryptionError) return 'it does not decrypt with this password';
  if (error instanceof KdfBudgetExceededError) return "its KDF parameters are over this client's budget";
  return 'it is malformed';
}

/** Whether the stored blob decrypts with the password to exactly this key. */
async function holdsKey(keyserver: KeyserverClient, userId: string, password: string, keys: Keys): Promise<boolean> {
  const stored = await fetchBlob(keyserver, userId);
  if (!stored || stored.publicKeyFingerprint !== keys.fingerprint) return false;
  return unwrap(stored, password, userId, keys.fingerprint).then(
    () => true,
    () => false,
  );
}

async function newKeys(): Promise<Keys> {
  const pair = await generateKeyPair();
  return { ...pair, fingerprint: await fingerprint(pair.publicKey) };
}

function storeBlob(keyserver: KeyserverClient, userId: string, blob: Wrapped, keys: Keys) {
  return raced(
    keyserver.keys.putPrivateKey({
      userId,
      requestBody: {
        encryptedPrivateKey: toBase64Url(blob.encryptedPrivateKey),
        iv: toBase64Url(blob.iv),
        salt: toBase64Url(blob.salt),
        kdf: blob.kdf,
        publicKeyFingerprint: keys.fingerprint,
      },
    }),
  );
}

/** A 409 while storing means the pending key is no longer ours. */
async function raced<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (isApiError(error) && error.status === 409) throw new CliError(`Refused: ${RACE}.`, EXIT.refused);
    throw error;
  }
}
