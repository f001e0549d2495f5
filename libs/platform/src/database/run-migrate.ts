import { type DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigurationError } from '../config/load-config.js';

/**
 * What `npm run migrate -- <service>` runs, for deployments that start their
 * services with MIGRATIONS=skip: the service's modules, configured exactly as
 * the service (no HTTP), with migrations on. Starting them applies what is
 * pending, under the same advisory lock as a starting service.
 */
export async function runMigrate(name: string, rootModule: (env: NodeJS.ProcessEnv) => DynamicModule): Promise<void> {
  let root: DynamicModule;
  try {
    root = rootModule({ ...process.env, MIGRATIONS: 'run' });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`${name} migrations cannot start. ${error.message}`);
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(root, { logger: ['log', 'warn', 'error'] });
  try {
    const applied = await app
      .get(DataSource)
      .query<{ name: string }[]>(`SELECT name FROM migrations ORDER BY id DESC LIMIT 1`);
    new Logger('Migrate').log(`${name}: the schema is up to date (last migration ${applied[0]?.name ?? 'none'}).`);
  } finally {
    await app.close();
  }
}
