import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { PruneReport } from '@app/platform';
import { AccessTokensRepository } from '../access-tokens/access-tokens.repository.js';
import { UsersRepository } from '../auth/users.repository.js';
import { KeyChangesRepository } from '../key-changes/key-changes.repository.js';
import { SessionChallengesRepository } from '../session-challenge/session-challenges.repository.js';
import type { ServerConfig } from './server-config.js';

/**
 * Deletes sessions, access tokens, challenges and device tokens that can no
 * longer be used, and committed key changes superseded by a later one, in
 * batches (PRUNE_BATCH_SIZE). Correctness never depends on it (every check
 * compares `expires_at` with `now()`); it only keeps the tables small. Safe to
 * run on every instance: batches skip the rows another instance holds.
 */
@Injectable()
export class ExpiredRowsPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredRowsPurger.name);
  private readonly batchSize: number;
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly accessTokens: AccessTokensRepository,
    private readonly challenges: SessionChallengesRepository,
    private readonly users: UsersRepository,
    private readonly keyChanges: KeyChangesRepository,
    config: ConfigService<ServerConfig, true>,
  ) {
    this.batchSize = config.get('pruneBatchSize', { infer: true });
    this.intervalMs = config.get('pruneIntervalMs', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), this.intervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** What each table's pruning did; empty when it failed (with a warning). */
  async purge(): Promise<PruneReport[]> {
    try {
      return [
        await this.accessTokens.deleteExpired(this.batchSize),
        await this.challenges.deleteExpired(this.batchSize),
        ...(await this.users.deleteExpired(this.batchSize)),
        await this.keyChanges.deleteSuperseded(this.batchSize),
      ];
    } catch (error) {
      this.logger.warn(`Purging expired rows failed: ${(error as Error).message}`);
      return [];
    }
  }
}
