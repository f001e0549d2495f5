import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes sessions, access tokens, challenges and device tokens that can no longer be used.
 * Correctness never depends on it (every check compares `expires_at` with
 * `now()`); it only keeps the tables small. Safe to run on every instance.
 */
@Injectable()
export class ExpiredRowsPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredRowsPurger.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      await this.db.query(`DELETE FROM access_tokens WHERE expires_at < now()`);
      await this.db.query(`DELETE FROM session_challenges WHERE expires_at < now()`);
      await this.db.query(`DELETE FROM sessions WHERE expires_at < now()`);
      await this.db.query(`DELETE FROM device_tokens WHERE expires_at < now()`);
    } catch (error) {
      this.logger.warn(`Purging expired rows failed: ${(error as Error).message}`);
    }
  }
}
