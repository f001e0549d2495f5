import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { ValidateUserRequestDto } from '@app/contracts';
import type { ReadinessIndicator } from '@app/platform';
import type { KeyserverConfig } from './keyserver-config.js';

/**
 * The server's validate endpoint answers the keyserver: every keyserver
 * request needs it. The probe is the real call (same URL, API key, timeout)
 * with a made-up token for a random user, so its only right answer is 403:
 * that proves the route, the API key and the server's database all work,
 * and no real token is spent. A 401 means the two API keys differ.
 */
@Injectable()
export class ServerReachabilityIndicator implements ReadinessIndicator {
  private readonly logger = new Logger('Health');
  private readonly validateUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(
    config: ConfigService<KeyserverConfig, true>,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.validateUrl = `${config.get('serverUrl', { infer: true })}/keyserver/user/validate`;
    this.authorization = `Bearer ${config.get('keyserverApiKey', { infer: true })}`;
    this.timeoutMs = config.get('serverTimeoutMs', { infer: true });
  }

  check() {
    return this.indicators
      .check('server')
      .attempt(({ signal }) => this.probe(signal))
      .withTimeout(this.timeoutMs);
  }

  private async probe(signal: AbortSignal): Promise<void> {
    const probe: ValidateUserRequestDto = { userId: randomUUID(), accessToken: randomBytes(32).toString('base64url') };
    let response: Response;
    try {
      response = await fetch(this.validateUrl, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify(probe),
        // The API key must never be replayed to wherever a redirect points.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      // A timeout: the attempt reports it as such.
      if (signal.aborted) throw error;
      this.logger.warn(`Server unreachable at ${this.validateUrl}: ${(error as Error).message}`);
      throw new Error('The server is unreachable', { cause: error });
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 403) return;
    if (response.status === 401) {
      this.logger.error('The server refused our KEYSERVER_API_KEY: both services must be configured with the same key');
      throw new Error('The server refused the keyserver API key');
    }
    this.logger.warn(`Server answered ${response.status} to the readiness probe at ${this.validateUrl}`);
    throw new Error(`The server answered ${response.status}`);
  }
}
