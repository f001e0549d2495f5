import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { deriveLoginSecret, fromBase64Url, generateKeyPair, unwrapPrivateKey } from '@app/crypto';
import { parseStorageKeys, StorageSealer } from '@app/platform';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import { rewrapBlobs } from '../apps/keyserver/src/keys/rewrap.js';
import { decodeBlobSecrets } from '../apps/keyserver/src/keys/sealed-blob.js';
import { PasswordHasher } from '../apps/server/src/auth/password-hasher.js';
import { rewrapVerifiers } from '../apps/server/src/auth/rewrap-verifiers.js';
import {
  closeAll,
  type RunningApp,
  startKeyserver,
  startServer,
  TEST_KEYSERVER_API_KEY,
  TEST_STORAGE_KEY,
  TEST_STORAGE_KEYS,
  TEST_VERIFIER_KEY,
  TEST_VERIFIER_KEYS,
} from './support/apps.js';
import { onPostgres } from './support/database.js';
import {
  encryptedBlob,
  getAccessToken,
  openChallenge,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, randomPassword, uniqueEmail, type TestUser } from './support/users.js';
import { forms } from './support/secret-forms.js';
import { bodyOf } from './support/body.js';

/** One stored value: where it is, and its bytes (text as UTF-8). */
interface Cell {
  where: string;
  bytes: Buffer;
}

/** Every row of every table but the migrations' log, as the copy an attacker would hold. */
async function dump(db: DataSource): Promise<{ tables: Map<string, Record<string, unknown>[]>; cells: Cell[] }> {
  const names: Array<{ table_name: string }> = await db.query(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY table_name`,
  );
  const tables = new Map<string, Record<string, unknown>[]>();
  const cells: Cell[] = [];
  for (const { table_name: table } of names) {
    const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM "${table.replaceAll('"', '""')}"`);
    tables.set(table, rows);
    rows.forEach((row, index) => {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const bytes = Buffer.isBuffer(value)
          ? value
          : Buffer.from(
              value instanceof Date
                ? value.toISOString()
                : typeof value === 'object'
                  ? JSON.stringify(value)
                  : String(value as string | number | bigint | boolean),
            );
        cells.push({ where: `${table}[${index}].${column}`, bytes });
      }
    });
  }
  return { tables, cells };
}

/** What to look for in stored bytes: every written form, and the raw bytes themselves. */
function needles(secret: string | Uint8Array): Array<{ form: string; bytes: Buffer }> {
  const raw =
    typeof secret === 'string'
      ? /^[A-Za-z0-9_-]+$/.test(secret)
        ? [Buffer.from(secret, 'base64url')]
        : []
      : [Buffer.from(secret)];
  return [
    ...forms(secret).map((form) => ({ form, bytes: Buffer.from(form) })),
    ...raw.map((bytes) => ({ form: `raw ${bytes.length} bytes`, bytes })),
  ];
}

/** Secrets named in `secrets` found anywhere in the cells, described for the failure message. */
function findSecrets(cells: Cell[], secrets: Map<string, string | Uint8Array>): string[] {
  return [...secrets].flatMap(([name, secret]) =>
    needles(secret).flatMap(({ form, bytes }) =>
      cells.filter((cell) => cell.bytes.includes(bytes)).map((cell) => `${name} as ${form} in ${cell.where}`),
    ),
  );
}

const randomKeyring = (variable: string, id: string) =>
  parseStorageKeys(variable, `${id}:${randomBytes(32).toString('base64url')}`);

/**
 * Issue 7: a copy of either database, taken after every flow, holds nothing a
 * password guess can be tested against, and the keys that seal it can be
 * rotated and the old ones removed without a user noticing.
 */
describe('a copy of either database', () => {
  /** What must never be stored, by name (for the failure message). */
  const secrets = new Map<string, string | Uint8Array>([
    ['keyserver API key', TEST_KEYSERVER_API_KEY],
    ['storage key', TEST_STORAGE_KEY.key],
    ['verifier key', TEST_VERIFIER_KEY.key],
  ]);
  const keep = (name: string, value: string | Uint8Array) => secrets.set(`${name} #${secrets.size}`, value);
  /** On PGlite a restart keeps the data only in a folder; each service has its own. */
  const dataRoot = onPostgres ? undefined : mkdtempSync(join(tmpdir(), 'kx-copies-'));
  const dataDir = (service: 'server' | 'keyserver'): Record<string, string> =>
    dataRoot ? { DATA_DIR: join(dataRoot, `${service}-root`) } : {};

  let server: RunningApp | undefined;
  let keyserver: RunningApp | undefined;
  let renewedServer: RunningApp | undefined;
  let renewedKeyserver: RunningApp | undefined;
  let user: TestUser;
  let loginSecret: string;
  let deviceToken: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let serverCopy: Awaited<ReturnType<typeof dump>>;
  let keyserverCopy: Awaited<ReturnType<typeof dump>>;

  beforeAll(async () => {
    server = await startServer(dataDir('server'));
    keyserver = await startKeyserver(server.url, dataDir('keyserver'));

    // Register and log in as the reference client does: the server only ever sees the login secret.
    const email = uniqueEmail('copies');
    const password = randomPassword();
    loginSecret = await deriveLoginSecret(email, password);
    keep('password', password);
    keep('login secret', loginSecret);
    const registered = bodyOf<ServerApi.RegisterResponse>(
      await server.http().post('/api/auth/register').send({ email, password: loginSecret }).expect(201),
    );
    const first = bodyOf<ServerApi.LoginResponse>(
      await server.http().post('/api/auth/login').send({ email, password: loginSecret }).expect(200),
    );
    keep('session token', first.sessionToken);
    keep('device token', first.deviceToken);
    user = { email, password, userId: registered.userId, sessionToken: first.sessionToken };

    // Create a key pair: public key, blob, session challenge confirmed.
    keys = await generateKeyPair();
    keep('private key', keys.privateKeyPkcs8);
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const writeToken = await getAccessToken(server, user);
    keep('access token (write)', writeToken);
    const blob = await encryptedBlob(user, keys);
    keep('encryptedPrivateKey', blob.encryptedPrivateKey);
    keep('iv', blob.iv);
    keep('salt', blob.salt);
    await putPrivateKey(keyserver, user.userId, writeToken, blob).expect(201);
    const answer = await openChallenge(server, user.sessionToken, keys);
    keep('challenge token (answered)', answer.token);
    await server
      .http()
      .post('/api/user/session-challenge/answer')
      .set(bearer(user.sessionToken))
      .send(answer)
      .expect(200);

    // A second login from the same device, and the blob back through the keyserver.
    const second = bodyOf<ServerApi.LoginResponse>(
      await server
        .http()
        .post('/api/auth/login')
        .send({ email, password: loginSecret, deviceToken: first.deviceToken })
        .expect(200),
    );
    keep('second session token', second.sessionToken);
    keep('second device token', second.deviceToken);
    deviceToken = second.deviceToken;
    user.sessionToken = second.sessionToken;
    const readToken = await getAccessToken(server, user);
    keep('access token (read)', readToken);
    const read = bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(
      await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(readToken)).expect(200),
    );
    const unlocked = await unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(read.encryptedPrivateKey),
      iv: fromBase64Url(read.iv),
      salt: fromBase64Url(read.salt),
      kdf: read.kdf,
      password,
      userId: user.userId,
      publicKeyFingerprint: read.publicKeyFingerprint as string,
    });
    expect(Buffer.from(unlocked.privateKeyPkcs8).equals(Buffer.from(keys.privateKeyPkcs8))).toBe(true);

    // Left in the database as a copy would catch them: an unspent access token and an open challenge.
    keep('access token (unspent)', await getAccessToken(server, user));
    const open = await openChallenge(server, user.sessionToken, keys);
    keep('challenge token (open)', open.token);

    serverCopy = await dump(server.app.get(DataSource));
    keyserverCopy = await dump(keyserver.app.get(DataSource));
  });

  afterAll(async () => {
    // The renewed pair shares the first pair's databases, which the first pair drops.
    await closeAll(renewedKeyserver, renewedServer, keyserver, server);
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  it('holds every flow’s rows (the dump is not empty)', () => {
    for (const table of ['users', 'sessions', 'device_tokens', 'public_keys', 'access_tokens', 'session_challenges']) {
      expect(serverCopy.tables.get(table)?.length, table).toBeGreaterThan(0);
    }
    expect(keyserverCopy.tables.get('encrypted_private_keys')).toHaveLength(1);
    expect(secrets.size).toBeGreaterThan(15);
  });

  it('holds no secret in any form: login secret, password, tokens, challenge, blob, private key, keys', () => {
    expect(findSecrets([...serverCopy.cells, ...keyserverCopy.cells], secrets)).toEqual([]);
  });

  it('holds nothing that verifies the login secret, nor anything shaped like a scrypt verifier', async () => {
    const hasher = server!.app.get(PasswordHasher);
    const cells = [...serverCopy.cells, ...keyserverCopy.cells];
    expect(cells.filter((cell) => cell.bytes.includes('$scrypt$')).map((cell) => cell.where)).toEqual([]);
    const verifying: string[] = [];
    for (const cell of cells) {
      if (await hasher.verify(loginSecret, cell.bytes.toString('utf8'))) verifying.push(cell.where);
    }
    expect(verifying).toEqual([]);
  });

  it('seals the verifier and the blob so that they open under the configured keys only', async () => {
    const [row] = serverCopy.tables.get('users')!.filter((r) => r.id === user.userId);
    expect(row).toMatchObject({ verifier_key_id: TEST_VERIFIER_KEY.id, password_hash: null });
    const sealedVerifier = row.sealed_verifier as Buffer;
    const verifierKeys = new StorageSealer(parseStorageKeys('SERVER_VERIFIER_KEYS', TEST_VERIFIER_KEYS));
    const verifier = verifierKeys.open(TEST_VERIFIER_KEY.id, sealedVerifier, 'users', user.userId).toString();
    expect(await server!.app.get(PasswordHasher).verify(loginSecret, verifier)).toBe(true);
    const wrongVerifierKey = new StorageSealer(randomKeyring('SERVER_VERIFIER_KEYS', TEST_VERIFIER_KEY.id));
    expect(() => wrongVerifierKey.open(TEST_VERIFIER_KEY.id, sealedVerifier, 'users', user.userId)).toThrow();

    const [blobRow] = keyserverCopy.tables.get('encrypted_private_keys')!;
    expect(blobRow).toMatchObject({
      user_id: user.userId,
      storage_key_id: TEST_STORAGE_KEY.id,
      encrypted_private_key: null,
      iv: null,
      salt: null,
    });
    const sealedBlob = blobRow.sealed_blob as Buffer;
    const storageKeys = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', TEST_STORAGE_KEYS));
    const opened = decodeBlobSecrets(
      storageKeys.open(TEST_STORAGE_KEY.id, sealedBlob, 'encrypted_private_keys', user.userId),
    );
    const unlocked = await unwrapPrivateKey({
      ...opened,
      kdf: {
        algorithm: 'argon2id',
        memoryKiB: blobRow.kdf_memory_kib as number,
        iterations: blobRow.kdf_iterations as number,
        parallelism: blobRow.kdf_parallelism as number,
      },
      password: user.password,
      userId: user.userId,
    });
    expect(Buffer.from(unlocked.privateKeyPkcs8).equals(Buffer.from(keys.privateKeyPkcs8))).toBe(true);
    const wrongStorageKey = new StorageSealer(randomKeyring('KEYSERVER_STORAGE_KEYS', TEST_STORAGE_KEY.id));
    expect(() =>
      wrongStorageKey.open(TEST_STORAGE_KEY.id, sealedBlob, 'encrypted_private_keys', user.userId),
    ).toThrow();
  });

  it('keeps every flow working after a rewrap to new keys and the removal of the old ones', async () => {
    const nextVerifierKeys = `k2:${randomBytes(32).toString('base64url')}`;
    const nextStorageKeys = `k2:${randomBytes(32).toString('base64url')}`;
    const logger = new Logger('rewrap');
    const rewrappedVerifiers = await rewrapVerifiers(
      server!.app.get(DataSource),
      new StorageSealer(parseStorageKeys('SERVER_VERIFIER_KEYS', `${nextVerifierKeys},${TEST_VERIFIER_KEYS}`)),
      logger,
    );
    expect(rewrappedVerifiers.rewrapped).toBeGreaterThanOrEqual(1);
    const rewrappedBlobs = await rewrapBlobs(
      keyserver!.app.get(DataSource),
      new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', `${nextStorageKeys},${TEST_STORAGE_KEYS}`)),
      logger,
    );
    expect(rewrappedBlobs.rewrapped).toBe(1);

    // Services that know only the new keys, on the same databases.
    const where = (app: RunningApp, service: 'server' | 'keyserver') =>
      onPostgres ? { DATABASE_URL: app.databaseUrl! } : dataDir(service);
    const serverEnv = { ...where(server!, 'server'), SERVER_VERIFIER_KEYS: nextVerifierKeys };
    const keyserverEnv = { ...where(keyserver!, 'keyserver'), KEYSERVER_STORAGE_KEYS: nextStorageKeys };
    if (!onPostgres) {
      // One process at a time on a PGlite folder.
      await closeAll(keyserver, server);
      keyserver = server = undefined;
    }
    renewedServer = await startServer(serverEnv);
    renewedKeyserver = await startKeyserver(renewedServer.url, keyserverEnv);

    const copy = await dump(renewedServer.app.get(DataSource));
    expect(copy.tables.get('users')!.map((row) => row.verifier_key_id)).toEqual(['k2']);
    expect(
      (await dump(renewedKeyserver.app.get(DataSource))).tables
        .get('encrypted_private_keys')!
        .map((row) => row.storage_key_id),
    ).toEqual(['k2']);

    const loginAgain = (body: object) =>
      renewedServer!
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, ...body });
    await loginAgain({ password: randomPassword() }).expect(401);
    await loginAgain({ password: loginSecret, deviceToken }).expect(200);
    const session = bodyOf<ServerApi.LoginResponse>(await loginAgain({ password: loginSecret }).expect(200));
    expect(session.hasKeyPair).toBe(true);
    const renewed: TestUser = { ...user, sessionToken: session.sessionToken };

    const accessToken = await getAccessToken(renewedServer, renewed);
    const read = bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(
      await renewedKeyserver.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken)).expect(200),
    );
    const unlocked = await unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(read.encryptedPrivateKey),
      iv: fromBase64Url(read.iv),
      salt: fromBase64Url(read.salt),
      kdf: read.kdf,
      password: user.password,
      userId: user.userId,
      publicKeyFingerprint: read.publicKeyFingerprint as string,
    });
    expect(Buffer.from(unlocked.privateKeyPkcs8).equals(Buffer.from(keys.privateKeyPkcs8))).toBe(true);
    await passSessionChallenge(renewedServer, renewed.sessionToken, unlocked);
  });
});
