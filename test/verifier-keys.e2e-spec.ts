import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { parseStorageKeys, StorageSealer } from '@app/platform';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { PasswordHasher } from '../apps/server/src/auth/password-hasher.js';
import { rewrapVerifiers } from '../apps/server/src/auth/rewrap-verifiers.js';
import { type RunningApp, startServer, TEST_VERIFIER_KEY, TEST_VERIFIER_KEYS } from './support/apps.js';
import { onPostgres } from './support/database.js';
import { randomPassword, registerAndLogin, uniqueEmail } from './support/users.js';
import { bodyOf } from './support/body.js';

/** A row of users as the driver reads it (bytea as a Buffer). */
type UserRow = Record<string, unknown> & { sealed_verifier: Buffer };

/** Login verifiers at rest on the server: sealed under the verifier key, bound to their row. */
describe('server verifier keys', () => {
  let server: RunningApp;
  let db: DataSource;
  beforeAll(async () => {
    server = await startServer();
    db = server.app.get(DataSource);
  });
  afterAll(() => server?.close());

  const login = (email: string, password: string) => server.http().post('/api/auth/login').send({ email, password });

  it('stores the verifier only sealed under the current key: nothing to guess against in a copy', async () => {
    const user = await registerAndLogin(server.http);
    const [row] = await db.query<UserRow[]>(`SELECT * FROM users WHERE id = $1`, [user.userId]);
    expect(row).toMatchObject({ verifier_key_id: TEST_VERIFIER_KEY.id, password_hash: null });
    const dump = JSON.stringify(await db.query(`SELECT * FROM users`));
    expect(dump).not.toContain('$scrypt$');
    // It opens under the configured key, as the scrypt verifier; under another key it does not.
    const sealed = Buffer.from(row.sealed_verifier);
    expect(
      new StorageSealer(parseStorageKeys('K', TEST_VERIFIER_KEYS))
        .open('test1', sealed, 'users', user.userId)
        .toString(),
    ).toMatch(/^\$scrypt\$/);
    const wrongKey = new StorageSealer(parseStorageKeys('K', `test1:${randomBytes(32).toString('base64url')}`));
    expect(() => wrongKey.open('test1', sealed, 'users', user.userId)).toThrow();
  });

  it('answers 503, never a login, for a verifier copied from another user', async () => {
    const alice = await registerAndLogin(server.http);
    const mallory = await registerAndLogin(server.http);
    await db.query(
      `UPDATE users SET sealed_verifier = (SELECT sealed_verifier FROM users WHERE id = $1) WHERE id = $2`,
      [alice.userId, mallory.userId],
    );
    const response = await login(mallory.email, alice.password);
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(bodyOf<Partial<ServerApi.LoginResponse>>(response).sessionToken).toBeUndefined();
    await login(alice.email, alice.password).expect(200);
  });

  it('answers 503 for a verifier sealed under a key id that is not configured', async () => {
    const user = await registerAndLogin(server.http);
    await db.query(`UPDATE users SET verifier_key_id = 'retired' WHERE id = $1`, [user.userId]);
    expect((await login(user.email, user.password)).status).toBe(503);
  });

  it('logs in a user stored before sealing, and rewraps every verifier under a new key', async () => {
    const email = uniqueEmail('legacy');
    const password = randomPassword();
    const legacyId = randomUUID();
    await db.query(`INSERT INTO users (id, email, password_hash) VALUES ($1, $2, $3)`, [
      legacyId,
      email,
      await server.app.get(PasswordHasher).hash(password),
    ]);
    await login(email, password).expect(200);
    const sealedUser = await registerAndLogin(server.http);

    const next = randomBytes(32).toString('base64url');
    const rotated = new StorageSealer(parseStorageKeys('SERVER_VERIFIER_KEYS', `k2:${next},${TEST_VERIFIER_KEYS}`));
    const report = await rewrapVerifiers(db, rotated, new Logger('test'), 2);
    expect(report.rewrapped).toBeGreaterThanOrEqual(2);
    const onlyNew = new StorageSealer(parseStorageKeys('SERVER_VERIFIER_KEYS', `k2:${next}`));
    for (const id of [legacyId, sealedUser.userId]) {
      const [row] = await db.query<UserRow[]>(`SELECT * FROM users WHERE id = $1`, [id]);
      expect(row).toMatchObject({ verifier_key_id: 'k2', password_hash: null });
      expect(onlyNew.open('k2', Buffer.from(row.sealed_verifier), 'users', id).toString()).toMatch(/^\$scrypt\$/);
    }
    expect(await rewrapVerifiers(db, rotated, new Logger('test'))).toMatchObject({ rewrapped: 0 });

    if (onPostgres) {
      // A server configured with the new key alone logs both in.
      const renewed = await startServer({ DATABASE_URL: server.databaseUrl!, SERVER_VERIFIER_KEYS: `k2:${next}` });
      try {
        await renewed.http().post('/api/auth/login').send({ email, password }).expect(200);
        await renewed
          .http()
          .post('/api/auth/login')
          .send({ email: sealedUser.email, password: sealedUser.password })
          .expect(200);
      } finally {
        await renewed.close();
      }
    }
  });
});
