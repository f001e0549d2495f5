import { createDecipheriv, randomBytes } from 'node:crypto';
import { fingerprint, generateKeyPair } from '@app/crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '@nestjs/common';
import { parseStorageKeys, StorageSealer } from '@app/platform';
import type { KeyserverApi } from '@app/api-client';
import { rewrapBlobs } from '../apps/keyserver/src/keys/rewrap.js';
import { decodeBlobSecrets } from '../apps/keyserver/src/keys/sealed-blob.js';
import {
  closeAll,
  type RunningApp,
  startKeyserver,
  startServices,
  TEST_STORAGE_KEY,
  TEST_STORAGE_KEYS,
} from './support/apps.js';
import { onPostgres } from './support/database.js';
import { createKeyPair, encryptedBlob, getAccessToken, putPrivateKey, putPublicKey } from './support/client.js';
import { bearer, registerAndLogin, type TestUser } from './support/users.js';
import { bodyOf, errorOf } from './support/body.js';

/** A row of encrypted_private_keys or key_changes as the driver reads it (bytea as a Buffer). */
type SealedRow = Record<string, unknown> & { sealed_blob: Buffer; storage_key_id: string | null };

/** Blobs at rest on the keyserver: sealed under the storage key, bound to their row. */
describe('keyserver storage keys', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let db: DataSource;
  beforeAll(async () => {
    ({ server, keyserver } = await startServices());
    db = keyserver.app.get(DataSource);
  });
  afterAll(() => closeAll(keyserver, server));

  const getKey = async (user: TestUser) =>
    keyserver
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(await getAccessToken(server, user)));

  /** A user whose blob is stored, and the blob as the client sent it. */
  async function userWithBlob() {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const blob = await encryptedBlob(user, keys);
    await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), blob).expect(201);
    return { user, keys, blob };
  }

  it('stores nothing of the blob in the clear: only a value sealed under the current storage key', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    const served = bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(await getKey(user));
    const [row] = await db.query<SealedRow[]>(`SELECT * FROM encrypted_private_keys WHERE user_id = $1`, [user.userId]);
    expect(row).toMatchObject({
      storage_key_id: TEST_STORAGE_KEY.id,
      encrypted_private_key: null,
      iv: null,
      salt: null,
    });
    const dump = JSON.stringify(await db.query(`SELECT * FROM encrypted_private_keys`), (_key, value: unknown) =>
      value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer'
        ? Buffer.from((value as { data: number[] }).data).toString('hex')
        : value,
    );
    for (const field of ['encryptedPrivateKey', 'iv', 'salt'] as const) {
      const bytes = Buffer.from(served[field], 'base64url');
      expect(dump).not.toContain(bytes.toString('hex'));
      expect(Buffer.from(row.sealed_blob).includes(bytes)).toBe(false);
    }
  });

  it('seals with AES-256-GCM bound to the row: it opens under the configured key only', async () => {
    const { user, blob } = await userWithBlob();
    const [row] = await db.query<SealedRow[]>(`SELECT sealed_blob FROM encrypted_private_keys WHERE user_id = $1`, [
      user.userId,
    ]);
    const sealed = Buffer.from(row.sealed_blob);
    const open = (key: Buffer, rowId: string) => {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(`keyexchange/v1/storage/encrypted_private_keys/${rowId}`));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
    };
    expect(open(TEST_STORAGE_KEY.key, user.userId).includes(Buffer.from(blob.encryptedPrivateKey, 'base64url'))).toBe(
      true,
    );
    expect(() => open(randomBytes(32), user.userId)).toThrow();
    const stranger = (await registerAndLogin(server.http)).userId;
    expect(() => open(TEST_STORAGE_KEY.key, stranger)).toThrow();
  });

  it('answers 503, never a 500 or another user’s key, for a sealed blob copied to another user', async () => {
    const { user: alice } = await userWithBlob();
    const { user: bob } = await userWithBlob();
    await db.query(
      `UPDATE encrypted_private_keys SET sealed_blob = (SELECT sealed_blob FROM encrypted_private_keys WHERE user_id = $1) WHERE user_id = $2`,
      [alice.userId, bob.userId],
    );
    const response = await getKey(bob);
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The stored key cannot be read right now; the operator has been told',
    });
  });

  it('answers 503 for a blob sealed under a key id that is not configured', async () => {
    const { user } = await userWithBlob();
    await db.query(`UPDATE encrypted_private_keys SET storage_key_id = 'retired' WHERE user_id = $1`, [user.userId]);
    const response = await getKey(user);
    expect(response.status).toBe(503);
    expect(errorOf(response).statusCode).toBe(503);
  });

  it('still serves a blob stored before sealing, and seals it when it is next written', async () => {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const blob = await encryptedBlob(user, keys);
    // A row as the previous release wrote it.
    await db.query(
      `INSERT INTO encrypted_private_keys (user_id, encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib,
         kdf_iterations, kdf_parallelism, public_key_fingerprint) VALUES ($1, $2, $3, $4, 'argon2id', $5, $6, $7, NULL)`,
      [
        user.userId,
        Buffer.from(blob.encryptedPrivateKey, 'base64url'),
        Buffer.from(blob.iv, 'base64url'),
        Buffer.from(blob.salt, 'base64url'),
        blob.kdf.memoryKiB,
        blob.kdf.iterations,
        blob.kdf.parallelism,
      ],
    );
    expect((await getKey(user)).body).toMatchObject({
      encryptedPrivateKey: blob.encryptedPrivateKey,
      publicKeyFingerprint: null,
    });

    // Bound to no key, it is replaced by the current key's blob, sealed.
    await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), blob).expect(201);
    const [row] = await db.query<unknown[]>(
      `SELECT storage_key_id, encrypted_private_key FROM encrypted_private_keys WHERE user_id = $1`,
      [user.userId],
    );
    expect(row).toEqual({ storage_key_id: TEST_STORAGE_KEY.id, encrypted_private_key: null });
    expect((await getKey(user)).body).toMatchObject({
      encryptedPrivateKey: blob.encryptedPrivateKey,
      publicKeyFingerprint: await fingerprint(keys.publicKey),
    });
  });

  it('refuses a row that is half sealed (the schema holds one form or the other)', async () => {
    const { user } = await userWithBlob();
    await expect(
      db.query(`UPDATE encrypted_private_keys SET iv = $2 WHERE user_id = $1`, [user.userId, randomBytes(12)]),
    ).rejects.toThrow(/encrypted_private_keys_one_form/);
  });

  it('rewraps every readable blob under a new current key, so the old key can be removed', async () => {
    const { user: sealedUser, blob: sealedBlob } = await userWithBlob();
    const legacyUser = await registerAndLogin(server.http);
    const legacyBlob = await encryptedBlob(legacyUser, await generateKeyPair());
    await db.query(
      `INSERT INTO encrypted_private_keys (user_id, encrypted_private_key, iv, salt, kdf_algorithm, kdf_memory_kib,
         kdf_iterations, kdf_parallelism) VALUES ($1, $2, $3, $4, 'argon2id', 19456, 2, 1)`,
      [
        legacyUser.userId,
        ...(['encryptedPrivateKey', 'iv', 'salt'] as const).map((f) => Buffer.from(legacyBlob[f], 'base64url')),
      ],
    );
    const next = randomBytes(32).toString('base64url');
    const rotated = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', `k2:${next},${TEST_STORAGE_KEYS}`));
    const report = await rewrapBlobs(db, rotated, new Logger('test'), 2);
    expect(report.rewrapped).toBeGreaterThanOrEqual(2);

    // Only the new key is needed now.
    const onlyNew = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', `k2:${next}`));
    for (const [user, blob] of [
      [sealedUser, sealedBlob],
      [legacyUser, legacyBlob],
    ] as const) {
      const [row] = await db.query<SealedRow[]>(`SELECT * FROM encrypted_private_keys WHERE user_id = $1`, [
        user.userId,
      ]);
      expect(row).toMatchObject({ storage_key_id: 'k2', encrypted_private_key: null });
      const secrets = decodeBlobSecrets(
        onlyNew.open('k2', Buffer.from(row.sealed_blob), 'encrypted_private_keys', user.userId),
      );
      expect(secrets.encryptedPrivateKey.toString('base64url')).toBe(blob.encryptedPrivateKey);
    }
    // Nothing left under the old key but what cannot be read (rows other tests broke on purpose).
    expect(await rewrapBlobs(db, rotated, new Logger('test'))).toMatchObject({ rewrapped: 0 });

    if (onPostgres) {
      // A keyserver configured with the new key alone serves the rewrapped blob.
      const renewed = await startKeyserver(server.url, {
        DATABASE_URL: keyserver.databaseUrl!,
        KEYSERVER_STORAGE_KEYS: `k2:${next}`,
      });
      try {
        const response = await renewed
          .http()
          .get(`/api/keys/${sealedUser.userId}`)
          .set(bearer(await getAccessToken(server, sealedUser)));
        expect(bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(response).encryptedPrivateKey).toBe(
          sealedBlob.encryptedPrivateKey,
        );
      } finally {
        await renewed.close();
      }
    }
  });

  it('seals staged key changes too, bound to the change id, and rewraps them with the blobs', async () => {
    const user = await registerAndLogin(server.http);
    const keys = await createKeyPair(server, keyserver, user);
    const change = await encryptedBlob({ ...user, password: 'a-new-login-secret' }, keys);
    const staged = await keyserver
      .http()
      .post(`/api/keys/${user.userId}/key-changes`)
      .set(bearer(await getAccessToken(server, user)))
      .send({ ...change, baseVersion: 1 })
      .expect(201);
    const { keyChangeId } = bodyOf<KeyserverApi.StagedKeyChangeResponse>(staged);
    const [row] = await db.query<SealedRow[]>(`SELECT * FROM key_changes WHERE id = $1`, [keyChangeId]);
    expect(row.storage_key_id).toBe(TEST_STORAGE_KEY.id);
    expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['encrypted_private_key']));
    const current = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', TEST_STORAGE_KEYS));
    // Bound to the change, not to the user: it does not open as the user's blob.
    expect(() =>
      current.open(TEST_STORAGE_KEY.id, Buffer.from(row.sealed_blob), 'encrypted_private_keys', user.userId),
    ).toThrow();
    const secrets = decodeBlobSecrets(
      current.open(TEST_STORAGE_KEY.id, Buffer.from(row.sealed_blob), 'key_changes', keyChangeId),
    );
    expect(secrets.encryptedPrivateKey.toString('base64url')).toBe(change.encryptedPrivateKey);
    for (const field of ['encryptedPrivateKey', 'iv', 'salt'] as const) {
      expect(Buffer.from(row.sealed_blob).includes(Buffer.from(change[field], 'base64url'))).toBe(false);
    }

    const next = randomBytes(32).toString('base64url');
    const rotated = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', `k3:${next},${TEST_STORAGE_KEYS}`));
    expect((await rewrapBlobs(db, rotated, new Logger('test'))).rewrapped).toBeGreaterThanOrEqual(2);
    const [rewrapped] = await db.query<SealedRow[]>(`SELECT * FROM key_changes WHERE id = $1`, [keyChangeId]);
    const onlyNew = new StorageSealer(parseStorageKeys('KEYSERVER_STORAGE_KEYS', `k3:${next}`));
    expect(rewrapped.storage_key_id).toBe('k3');
    const reopened = decodeBlobSecrets(
      onlyNew.open('k3', Buffer.from(rewrapped.sealed_blob), 'key_changes', keyChangeId),
    );
    expect(reopened.salt.toString('base64url')).toBe(change.salt);
  });
});
