import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { keyserverMigrations } from '../../apps/keyserver/src/migrations/index.js';
import { serverMigrations } from '../../apps/server/src/migrations/index.js';

/**
 * `npm test` runs the e2e suites on in-memory PGlite; `npm run test:pg` sets
 * KX_TEST_DATABASE=postgres and runs them on real PostgreSQL, each test file
 * on its own databases cloned from migrated templates (as Immich and Vendure do).
 */
export const onPostgres = process.env.KX_TEST_DATABASE === 'postgres';
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type Service = 'server' | 'keyserver';
const migrations = { server: serverMigrations, keyserver: keyserverMigrations };
const templateName = (service: Service) => `kx_template_${service}`;

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Vitest global setup: one migrated template database per service. */
export async function createTemplates(): Promise<void> {
  for (const service of ['server', 'keyserver'] as const) {
    const name = templateName(service);
    await withAdmin(async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
    });
    const dataSource = new DataSource({ type: 'postgres', url: urlFor(name), migrations: migrations[service] });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
  }
}

export async function dropTemplates(): Promise<void> {
  await withAdmin(async (admin) => {
    for (const service of ['server', 'keyserver'] as const) {
      await admin.query(`DROP DATABASE IF EXISTS ${templateName(service)} WITH (FORCE)`);
    }
  });
}

/** A fresh database for one app in one test file, and how to drop it. */
export async function createTestDatabase(service: Service): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kx_test_${service}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateName(service)}`));
  return {
    url: urlFor(name),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
