import type { KeyserverApi } from '@app/api-client';
import { isApiError } from '@app/api-client';
import {
  DecryptionError,
  DEFAULT_KDF_PARAMS,
  fingerprint,
  fromBase64Url,
  generateKeyPair,
  KEY_ALGORITHM,
  publicKeyOf,
  toBase64Url,
  unwrapPrivateKey,
  wrapPrivateKey,
} from '@app/crypto';
import { CliError, EXIT } from '../cli-error.js';
import { type Context, keyserverClient, serverClient } from '../context.js';
import { readPassword } from '../password.js';
import { passSessionChallenge } from './challenge.js';

const KDF = `Argon2id, ${DEFAULT_KDF_PARAMS.memoryKiB / 1024} MiB, ${DEFAULT_KDF_PARAMS.iterations} passes`;

/**
 * Seed flow 1, ending with the session challenge that confirms the key. Safe to
 * run again after a broken attempt: a pending public key is replaced, and a
 * blob the keyserver already holds is reused when it decrypts with the password.
 */
export async function createKeypair(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  if ((await server.auth.getCurrentUser()).hasKeyPair) {
    throw new CliError('This account already has a confirmed key pair: run `unlock` instead.', EXIT.refused);
  }
  const password = await readPassword();
  const { userId } = session;

  const earlier = await context.step('Look for a key stored by an earlier attempt', () => fetchBlob(keyserver, userId));
  let reused: { privateKey: CryptoKey; publicKey: Uint8Array } | undefined;
  if (earlier) {
    try {
      const { privateKey } = await context.step(`Decrypt it (${KDF})`, () => unwrap(earlier, password, userId));
      reused = { privateKey, publicKey: await publicKeyOf(privateKey) };
      context.say('    The keyserver holds a key from an earlier attempt; using it.');
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      context.say('    A stored key does not decrypt with this password; it will be replaced.');
    }
  }

  const keys = reused ?? (await context.step('Create an X25519 key pair', generateKeyPair));
  const blob = reused
    ? undefined
    : await context.step(`Encrypt the private key (${KDF})`, () =>
        wrapPrivateKey({ privateKeyPkcs8: (keys as Awaited<ReturnType<typeof generateKeyPair>>).privateKeyPkcs8, password, userId }),
      );
  await context.step('Store the public key on the server (pending)', () =>
    server.publicKeys.putPublicKey({ requestBody: { algorithm: KEY_ALGORITHM, publicKey: toBase64Url(keys.publicKey) } }),
  );
  if (blob) {
    await context.step('Store the encrypted private key on the keyserver (with a one-time access token)', () =>
      keyserver.keys.putPrivateKey({
        userId,
        requestBody: {
          encryptedPrivateKey: toBase64Url(blob.encryptedPrivateKey),
          iv: toBase64Url(blob.iv),
          salt: toBase64Url(blob.salt),
          kdf: blob.kdf,
        },
      }),
    );
  }
  await context.step('Answer a session challenge: key confirmed, session secured', () =>
    passSessionChallenge(server, keys.privateKey),
  );
  context.say(`Key pair created. Fingerprint: ${await fingerprint(keys.publicKey)}`);
}

/** Seed flow 2 (access token, fetch, decrypt), then flow 3 (session challenge). */
export async function unlock(context: Context): Promise<void> {
  const session = await context.sessions.require();
  const server = serverClient(context, session);
  const keyserver = keyserverClient(context, server);
  const password = await readPassword();
  const blob = await context.step('Fetch the encrypted private key (with a one-time access token)', () =>
    fetchBlob(keyserver, session.userId),
  );
  if (!blob) throw new CliError('The keyserver holds no private key for this account: run `create-keypair`.', EXIT.refused);
  const { privateKey } = await context.step(`Decrypt it with the password (${KDF})`, () => unwrap(blob, password, session.userId));
  await context.step('Answer a session challenge: session secured', () => passSessionChallenge(server, privateKey));
  context.say(`Unlocked. Fingerprint: ${await fingerprint(await publicKeyOf(privateKey))}`);
}

type Blob = KeyserverApi.EncryptedPrivateKeyResponse;

async function fetchBlob(keyserver: ReturnType<typeof keyserverClient>, userId: string): Promise<Blob | undefined> {
  try {
    return await keyserver.keys.getEncryptedPrivateKey({ userId });
  } catch (error) {
    if (isApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}

function unwrap(blob: Blob, password: string, userId: string) {
  return unwrapPrivateKey({
    encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
    iv: fromBase64Url(blob.iv),
    salt: fromBase64Url(blob.salt),
    kdf: blob.kdf,
    password,
    userId,
  });
}
