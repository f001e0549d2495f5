import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AccessTokensRepository } from '../access-tokens/access-tokens.repository.js';
import { UsersRepository } from '../auth/users.repository.js';
import { SessionChallengesRepository } from '../session-challenge/session-challenges.repository.js';

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

  constructor(
    private readonly accessTokens: AccessTokensRepository,
    private readonly challenges: SessionChallengesRepository,
    private readonly users: UsersRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      await this.accessTokens.deleteExpired();
      await this.challenges.deleteExpired();
      await this.users.deleteExpired();
    } catch (error) {
      this.logger.warn(`Purging expired rows failed: ${(error as Error).message}`);
    }
  }
}
