import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventsRepository } from './events.repository.js';

/**
 * Deletes events older than EVENTS_RETENTION_DAYS, every PRUNE_INTERVAL_SECONDS. Safe to run on
 * every instance: a second delete finds nothing.
 */
@Injectable()
export class EventsPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventsPruner.name);
  private readonly retentionDays: number;
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly events: EventsRepository,
    config: ConfigService,
  ) {
    this.retentionDays = config.getOrThrow<number>('eventRetentionDays');
    this.batchSize = config.getOrThrow<number>('pruneBatchSize');
    this.intervalMs = config.getOrThrow<number>('pruneIntervalMs');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), this.intervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes the events past retention; returns how many (0 when it failed, with a warning). */
  async prune(): Promise<number> {
    try {
      return (await this.events.pruneOlderThan(this.retentionDays, this.batchSize)).deleted;
    } catch (error) {
      this.logger.warn(`Pruning events older than ${this.retentionDays} days failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
