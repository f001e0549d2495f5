import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigurationError, StorageSealer } from '@app/platform';
import { DataSource } from 'typeorm';
import { KeyserverModule } from './app.module.js';
import { rewrapBlobs } from './keys/rewrap.js';

// npm run rewrap: seals every blob under the current (first) key of
// KEYSERVER_STORAGE_KEYS, with the same configuration as the keyserver.
const logger = new Logger('Rewrap');
let root;
try {
  root = KeyserverModule.forRoot(process.env);
} catch (error) {
  if (!(error instanceof ConfigurationError)) throw error;
  console.error(`Rewrap cannot start. ${error.message}`);
  process.exit(1);
}
const app = await NestFactory.createApplicationContext(root, { logger: ['log', 'warn', 'error'] });
try {
  const sealer = app.get(StorageSealer);
  const report = await rewrapBlobs(app.get(DataSource), sealer, logger);
  logger.log(
    `Current key ${sealer.currentKeyId}: ${report.rewrapped} blob(s) rewrapped, ${report.changedMeanwhile} changed by their owner meanwhile ` +
      `(already under the current key), ${report.unreadable} left unreadable (see above).`,
  );
  process.exitCode = report.unreadable > 0 ? 1 : 0;
} finally {
  await app.close();
}
