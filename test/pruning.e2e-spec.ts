import { EventsPruner, RateLimits } from '@app/platform';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi } from '@app/api-client';
import { AppliedKeyChangesPruner } from '../apps/keyserver/src/keys/applied-key-changes.pruner.js';
import { ExpiredRowsPurger } from '../apps/server/src/core/expired-rows.purger.js';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { createKeyPair, encryptedBlob, getAccessToken } from './support/client.js';
import { onPostgres } from './support/database.js';
import { expireAll } from './support/time-travel.js';
import { bearer, randomPassword, registerAndLogin, type TestUser } from './support/users.js';
import { bodyOf } from './support/body.js';

const count = async (app: RunningApp, table: string, where = 'true'): Promise<number> =>
  Number(
    (await app.app.get(DataSource).query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`))[0]
      .n,
  );

describe('pruning expired rows, in batches', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    // Batches of 2, so that every table takes several.
    server = await startServer({ PRUNE_BATCH_SIZE: '2' });
    keyserver = await startKeyserver(server.url, { PRUNE_BATCH_SIZE: '2' });
  });
  afterAll(() => closeAll(keyserver, server));

  it('deletes expired sessions, access tokens, challenges and device tokens, and nothing live', async () => {
    const expired = await Promise.all([1, 2, 3].map(() => registerAndLogin(server.http)));
    for (const user of expired) {
      await getAccessToken(server, user);
      await server.http().post('/api/user/session-challenge').set(bearer(user.sessionToken));
    }
    await expireAll(server, 'sessions');
    await server.app.get(DataSource).query(`UPDATE device_tokens SET expires_at = now() - interval '1 second'`);
    const live = await registerAndLogin(server.http);
    const liveToken = await getAccessToken(server, live);

    const reports = await server.app.get(ExpiredRowsPurger).purge();
    const byTable = Object.fromEntries(reports.map((report) => [report.table, report]));
    expect(byTable.sessions.deleted).toBeGreaterThanOrEqual(3);
    expect(byTable.sessions.batches).toBeGreaterThan(1);
    expect(byTable.device_tokens.deleted).toBeGreaterThanOrEqual(3);
    expect(await count(server, 'sessions', 'expires_at < now()')).toBe(0);
    expect(await count(server, 'access_tokens', `user_id = '${expired[0].userId}'`)).toBe(0);
    expect(await count(server, 'device_tokens', 'expires_at < now()')).toBe(0);
    // The live session and its token are untouched.
    await server.http().get('/api/user/me').set(bearer(live.sessionToken)).expect(200);
    expect(await count(server, 'access_tokens', `user_id = '${live.userId}'`)).toBe(1);
    expect(liveToken).toBeTruthy();
  });

  it('deletes expired access tokens and challenges of live sessions', async () => {
    const user = await registerAndLogin(server.http);
    for (let i = 0; i < 5; i += 1) await getAccessToken(server, user);
    await expireAll(server, 'access_tokens');
    const { access_tokens } = Object.fromEntries(
      (await server.app.get(ExpiredRowsPurger).purge()).map((r) => [r.table, r]),
    );
    expect(access_tokens.deleted).toBeGreaterThanOrEqual(5);
    expect(await count(server, 'access_tokens', 'expires_at < now()')).toBe(0);
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);
  });

  it('keeps only each user’s last committed and last applied key change', async () => {
    const user = await registerAndLogin(server.http);
    const keys = await createKeyPair(server, keyserver, user);
    let current: TestUser = user;
    for (const baseVersion of [1, 2, 3]) {
      const next = { ...current, password: randomPassword() };
      const staged = bodyOf<KeyserverApi.StagedKeyChangeResponse>(
        await keyserver
          .http()
          .post(`/api/keys/${user.userId}/key-changes`)
          .set(bearer(await getAccessToken(server, current)))
          .send({ ...(await encryptedBlob(next, keys)), baseVersion })
          .expect(201),
      );
      await server
        .http()
        .post('/api/user/key-change')
        .set(bearer(current.sessionToken))
        .send({
          keyChangeId: staged.keyChangeId,
          baseVersion,
          receipt: staged.receipt,
          currentPassword: current.password,
          newPassword: next.password,
        })
        .expect(200);
      await keyserver
        .http()
        .post(`/api/keys/${user.userId}/key-changes/${staged.keyChangeId}/apply`)
        .set(bearer(await getAccessToken(server, next)))
        .expect(200);
      current = next;
    }
    expect(await count(server, 'key_changes', `user_id = '${user.userId}'`)).toBe(3);
    expect(await count(keyserver, 'applied_key_changes', `user_id = '${user.userId}'`)).toBe(3);
    await server.app.get(ExpiredRowsPurger).purge();
    const applied = await keyserver.app.get(AppliedKeyChangesPruner).prune();
    expect(applied?.deleted).toBeGreaterThanOrEqual(2);
    expect(
      await server.app.get(DataSource).query(`SELECT base_version FROM key_changes WHERE user_id = $1`, [user.userId]),
    ).toEqual([{ base_version: 3 }]);
    expect(
      await keyserver.app
        .get(DataSource)
        .query(`SELECT version FROM applied_key_changes WHERE user_id = $1`, [user.userId]),
    ).toEqual([{ version: 4 }]);
  });

  it('deletes rate-limit counters past their window, and events past their retention', async () => {
    const db = server.app.get(DataSource);
    await db.query(
      `INSERT INTO rate_limits (key, points, expire) SELECT 'kx-test-' || i, 1, 1 FROM generate_series(1, 5) i`,
    );
    const report = await server.app.get(RateLimits).purgeExpired();
    expect(report?.deleted).toBeGreaterThanOrEqual(5);
    expect(await count(server, 'rate_limits', `key LIKE 'kx-test-%'`)).toBe(0);

    const user = await registerAndLogin(server.http);
    await db.query(`UPDATE events SET created_at = now() - interval '91 days' WHERE user_id = $1`, [user.userId]);
    expect(await server.app.get(EventsPruner).prune()).toBeGreaterThanOrEqual(2);
    expect(await count(server, 'events', `user_id = '${user.userId}'`)).toBe(0);
  });
});

describe('pruning on its own, every PRUNE_INTERVAL_SECONDS', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    server = await startServer({ PRUNE_INTERVAL_SECONDS: '1' });
    keyserver = await startKeyserver(server.url, { PRUNE_INTERVAL_SECONDS: '1' });
  });
  afterAll(() => closeAll(keyserver, server));

  it('deletes expired tokens, old events and stale counters in both services without being asked', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    await getAccessToken(server, user);
    await expireAll(server, 'access_tokens');
    for (const app of [server, keyserver]) {
      await app.app
        .get(DataSource)
        .query(`UPDATE events SET created_at = now() - interval '91 days' WHERE user_id = $1`, [user.userId]);
    }
    await server.app
      .get(DataSource)
      .query(`INSERT INTO rate_limits (key, points, expire) VALUES ('kx-test-stale', 1, 1)`);

    await expect
      .poll(
        async () => [
          await count(server, 'access_tokens', `user_id = '${user.userId}'`),
          await count(server, 'events', `user_id = '${user.userId}'`),
          await count(keyserver, 'events', `user_id = '${user.userId}'`),
          await count(server, 'rate_limits', `key = 'kx-test-stale'`),
        ],
        { timeout: 10_000, interval: 250 },
      )
      .toEqual([0, 0, 0, 0]);
  });
});

/**
 * A backlog of 200,000 expired access tokens, pruned while key fetches run:
 * no batch statement is long, and no fetch waits on the pruning.
 */
describe.skipIf(!onPostgres)('pruning a large backlog under load (PostgreSQL)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMITS: 'off' });
    keyserver = await startKeyserver(server.url, { RATE_LIMITS: 'off' });
  });
  afterAll(() => closeAll(keyserver, server));

  it('prunes 200,000 expired tokens with no statement over 250 ms while every fetch answers 200 within 1 s', async () => {
    const user = await registerAndLogin(server.http);
    await createKeyPair(server, keyserver, user);
    // The backlog, in one statement on a connection of the test's own (no DB_QUERY_TIMEOUT_MS).
    const db = await new DataSource({ type: 'postgres', url: server.databaseUrl }).initialize();
    try {
      const [session] = await db.query<{ id: string }[]>(`SELECT id FROM sessions WHERE user_id = $1`, [user.userId]);
      await db.query(
        `INSERT INTO access_tokens (token_hash, user_id, session_id, expires_at)
         SELECT sha256(('backlog-' || i)::bytea), $1, $2, now() - interval '1 hour' FROM generate_series(1, 200000) i`,
        [user.userId, session.id],
      );
      await db.query(`ANALYZE access_tokens`);
    } finally {
      await db.destroy();
    }

    let pruning = true;
    const fetches: number[] = [];
    const load = (async () => {
      while (pruning) {
        const began = performance.now();
        const response = await keyserver
          .http()
          .get(`/api/keys/${user.userId}`)
          .set(bearer(await getAccessToken(server, user)));
        expect(response.status).toBe(200);
        fetches.push(performance.now() - began);
      }
    })();
    const reports = await server.app.get(ExpiredRowsPurger).purge();
    pruning = false;
    await load;

    const tokens = reports.find((report) => report.table === 'access_tokens')!;
    expect(tokens.deleted).toBeGreaterThanOrEqual(200_000);
    expect(tokens.batches).toBeGreaterThanOrEqual(200);
    expect(tokens.slowestMs).toBeLessThan(250);
    expect(fetches.length).toBeGreaterThan(10);
    expect(Math.max(...fetches)).toBeLessThan(1000);
    expect(await count(server, 'access_tokens', 'expires_at < now()')).toBe(0);
  });
});
