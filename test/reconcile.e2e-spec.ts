import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { createKeyPair } from './support/client.js';
import { onPostgres } from './support/database.js';
import { registerAndLogin } from './support/users.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../scripts/reconcile.mjs', import.meta.url));

/** `npm run reconcile` against the two services' databases: its exit code and output. */
async function reconcile(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

// PostgreSQL only: the tool reads both databases from its own process.
describe.skipIf(!onPostgres)('npm run reconcile', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startServer();
    keyserver = await startKeyserver(server.url);
    env = { SERVER_DATABASE_URL: server.databaseUrl!, KEYSERVER_DATABASE_URL: keyserver.databaseUrl! };
  });
  afterAll(() => closeAll(keyserver, server));

  it('says all agree when every confirmed key has a blob of its version', async () => {
    await createKeyPair(server, keyserver, await registerAndLogin(server.http));
    // A setup in progress (a pending key) is no disagreement.
    await registerAndLogin(server.http);
    const { code, stdout } = await reconcile(env);
    expect(stdout).toContain('Every confirmed key has a blob of its version on the keyserver.');
    expect(code).toBe(0);
  });

  it('lists users whose blob is missing, of another key, or of another version, and changes nothing', async () => {
    const [missing, otherKey, behind] = await Promise.all([1, 2, 3].map(() => registerAndLogin(server.http)));
    for (const user of [missing, otherKey, behind]) await createKeyPair(server, keyserver, user);
    // What a keyserver restored from an older backup than the server's could hold.
    const blobs = keyserver.app.get(DataSource);
    await blobs.query(`DELETE FROM encrypted_private_keys WHERE user_id = $1`, [missing.userId]);
    await blobs.query(`UPDATE encrypted_private_keys SET public_key_fingerprint = repeat('0', 64) WHERE user_id = $1`, [
      otherKey.userId,
    ]);
    await server.app
      .get(DataSource)
      .query(`UPDATE public_keys SET key_version = 3 WHERE user_id = $1`, [behind.userId]);
    const before = await blobs.query<unknown[]>(
      `SELECT user_id, version, public_key_fingerprint FROM encrypted_private_keys ORDER BY user_id`,
    );

    const { code, stdout } = await reconcile(env);
    expect(code).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('user id\tserver keyVersion\tkeyserver version\twhy');
    expect(lines).toContain(`${missing.userId}\t1\t-\tno blob on the keyserver`);
    expect(lines).toContain(`${otherKey.userId}\t1\t1\tthe blob belongs to another key`);
    expect(lines).toContain(`${behind.userId}\t3\t1\tversions differ`);
    expect(lines.at(-1)).toBe('3 user(s) disagree; nothing was changed.');
    expect(
      await blobs.query(`SELECT user_id, version, public_key_fingerprint FROM encrypted_private_keys ORDER BY user_id`),
    ).toEqual(before);
  });

  it('exits 2, naming the setting, without both database URLs', async () => {
    const { code, stderr } = await reconcile({ SERVER_DATABASE_URL: env.SERVER_DATABASE_URL });
    expect(code).toBe(2);
    expect(stderr).toMatch(/needs KEYSERVER_DATABASE_URL/);
  });
});
