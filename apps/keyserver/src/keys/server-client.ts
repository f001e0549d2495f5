import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import type { KeyserverConfig } from '../core/keyserver-config.js';

export type Validation =
  | { outcome: 'valid'; user: ValidateUserResponseDto }
  | { outcome: 'rejected' }
  | { outcome: 'unavailable' };

/**
 * The keyserver's one call to the server. Node's fetch (undici) keeps
 * connections alive between calls, so a validation costs one round trip.
 */
@Injectable()
export class ServerClient {
  private readonly logger = new Logger(ServerClient.name);
  private readonly validateUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(config: ConfigService<KeyserverConfig, true>) {
    this.validateUrl = `${config.get('serverUrl', { infer: true })}/keyserver/user/validate`;
    this.authorization = `Bearer ${config.get('keyserverApiKey', { infer: true })}`;
    this.timeoutMs = config.get('serverTimeoutMs', { infer: true });
  }

  async validateUser(request: ValidateUserRequestDto): Promise<Validation> {
    let response: Response;
    try {
      response = await fetch(this.validateUrl, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      this.logger.warn(`Server unreachable at ${this.validateUrl}: ${(error as Error).message}`);
      return { outcome: 'unavailable' };
    }
    if (response.ok) {
      const user = (await response.json().catch(() => undefined)) as ValidateUserResponseDto | undefined;
      if (!user) return { outcome: 'unavailable' };
      // Never act on a success that is about someone else.
      return user.valid === true && user.userId === request.userId ? { outcome: 'valid', user } : { outcome: 'rejected' };
    }
    await response.body?.cancel();
    if (response.status === 401) {
      this.logger.error('The server refused our KEYSERVER_API_KEY: both services must be configured with the same key');
    }
    if (response.status >= 500) {
      this.logger.warn(`Server answered ${response.status} to validateUser`);
      return { outcome: 'unavailable' };
    }
    return { outcome: 'rejected' };
  }
}
