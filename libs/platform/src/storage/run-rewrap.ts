import { type DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigurationError } from '../config/load-config.js';
import type { RewrapReport } from './rewrap.js';
import { StorageSealer } from './storage-sealer.js';

/**
 * What `npm run rewrap -- <service>` runs: the service's modules, configured
 * exactly as the service (no HTTP), then one rewrap of its sealed table.
 */
export async function runRewrap(
  name: string,
  rootModule: (env: NodeJS.ProcessEnv) => DynamicModule,
  rewrap: (db: DataSource, sealer: StorageSealer, logger: Logger) => Promise<RewrapReport>,
): Promise<void> {
  const logger = new Logger('Rewrap');
  let root: DynamicModule;
  try {
    root = rootModule(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`${name} rewrap cannot start. ${error.message}`);
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(root, { logger: ['log', 'warn', 'error'] });
  try {
    const sealer = app.get(StorageSealer);
    const report = await rewrap(app.get(DataSource), sealer, logger);
    logger.log(
      `${name}, current key ${sealer.currentKeyId}: ${report.rewrapped} row(s) rewrapped, ${report.changedMeanwhile} changed by ` +
        `their owner meanwhile (already under the current key), ${report.unreadable} left unreadable (see above).`,
    );
    process.exitCode = report.unreadable > 0 ? 1 : 0;
  } finally {
    await app.close();
  }
}
