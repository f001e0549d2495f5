import { serverMigrations } from '../apps/server/src/migrations/index.js';
import { ServerModule } from '../apps/server/src/app.module.js';
import { runMigrate } from '@app/platform';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startServer } from './support/apps.js';
import { createTestDatabase, onPostgres } from './support/database.js';
import { registerAndLogin } from './support/users.js';

const started: RunningApp[] = [];
const drops: Array<() => Promise<void>> = [];
afterAll(async () => {
  await closeAll(...started.splice(0));
  for (const drop of drops.splice(0)) await drop();
});

/** An empty PostgreSQL database of this run, dropped after the file. */
async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase('server', { empty: true });
  drops.push(database.drop);
  return database.url;
}

async function appliedMigrations(url: string): Promise<string[]> {
  const db = await new DataSource({ type: 'postgres', url }).initialize();
  try {
    return (await db.query<{ name: string }[]>(`SELECT name FROM migrations ORDER BY id`)).map((row) => row.name);
  } finally {
    await db.destroy();
  }
}

describe.skipIf(!onPostgres)('migrations on PostgreSQL', () => {
  it('lets four instances start together on one empty database: one migrates under the lock, each migration applied once', async () => {
    const url = await emptyDatabase();
    const apps = await Promise.all(Array.from({ length: 4 }, () => startServer({ DATABASE_URL: url })));
    started.push(...apps);
    expect(await appliedMigrations(url)).toEqual(serverMigrations.map((migration) => migration.name));
    // Every instance works on the schema.
    for (const app of apps) await registerAndLogin(app.http);
  });

  it('with MIGRATIONS=skip, refuses to start on a schema behind the code, naming the first migration it lacks', async () => {
    const url = await emptyDatabase();
    await expect(startServer({ DATABASE_URL: url, MIGRATIONS: 'skip' })).rejects.toThrow(
      /lacks migration InitialSchema1764032400000 and MIGRATIONS=skip: run `npm run migrate` first/,
    );
    expect(await appliedMigrations(url).catch(() => [])).toEqual([]);
  });

  it('npm run migrate brings it up to date; then a service with MIGRATIONS=skip starts and works', async () => {
    const url = await emptyDatabase();
    await runMigrate('Server', (env) =>
      ServerModule.forRoot({ ...env, NODE_ENV: 'test', DATABASE_URL: url, KEYSERVER_API_KEY: 'k'.repeat(43) }),
    );
    expect(await appliedMigrations(url)).toEqual(serverMigrations.map((migration) => migration.name));
    const app = await startServer({ DATABASE_URL: url, MIGRATIONS: 'skip' });
    started.push(app);
    await registerAndLogin(app.http);
  });
});

// PostgreSQL only: the embedded engine runs in the service's own thread, so a long statement holds every timer.
describe.skipIf(!onPostgres)('database calls are bounded by DB_QUERY_TIMEOUT_MS', () => {
  it('gives up on a statement that runs longer, and answers the next one', async () => {
    const app = await startServer({ DB_QUERY_TIMEOUT_MS: '300' });
    started.push(app);
    const db = app.app.get(DataSource);
    const began = Date.now();
    await expect(db.query('SELECT pg_sleep(3)')).rejects.toThrow();
    expect(Date.now() - began).toBeLessThan(2000);
    // The statement itself was stopped (statement_timeout), so the connection is free at once.
    await expect(db.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
