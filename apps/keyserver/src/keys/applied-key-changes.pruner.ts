import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { PruneReport } from '@app/platform';
import type { KeyserverConfig } from '../core/keyserver-config.js';
import { KeysRepository } from './keys.repository.js';

/**
 * Deletes the records of applied key changes older than each user's last, in
 * batches (PRUNE_BATCH_SIZE). Safe to run on every instance.
 */
@Injectable()
export class AppliedKeyChangesPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AppliedKeyChangesPruner.name);
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly keys: KeysRepository,
    config: ConfigService<KeyserverConfig, true>,
  ) {
    this.batchSize = config.get('pruneBatchSize', { infer: true });
    this.intervalMs = config.get('pruneIntervalMs', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.prune(), this.intervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** What the pruning did; undefined when it failed (with a warning). */
  async prune(): Promise<PruneReport | undefined> {
    try {
      return await this.keys.deleteSupersededAppliedChanges(this.batchSize);
    } catch (error) {
      this.logger.warn(`Pruning applied key changes failed: ${(error as Error).message}`);
      return undefined;
    }
  }
}
