import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import type { ReadinessIndicator } from './readiness-indicator.js';

/** Short: a probe that hangs tells the orchestrator nothing sooner than one that fails. */
const DATABASE_TIMEOUT_MS = 2000;

/** The database answers `SELECT 1`, through the app's own pool. */
@Injectable()
export class DatabaseIndicator implements ReadinessIndicator {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check() {
    return this.indicators
      .check('database')
      .attempt(async () => {
        try {
          await this.dataSource.query('SELECT 1');
        } catch (error) {
          // The cause is for the logs; a public answer says only what failed.
          this.logger.warn(`The database did not answer SELECT 1: ${(error as Error).message}`);
          throw new Error('The database did not answer', { cause: error });
        }
      })
      .withTimeout(DATABASE_TIMEOUT_MS);
  }
}
