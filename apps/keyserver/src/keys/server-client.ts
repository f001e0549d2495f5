import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ValidateUserRequestDto, ValidateUserResponseDto } from '@app/contracts';
import { currentRequestId, Metrics } from '@app/platform';
import type { Histogram } from 'prom-client';
import { type Dispatcher, Pool } from 'undici';
import type { KeyserverConfig } from '../core/keyserver-config.js';

export type Validation =
  { outcome: 'valid'; user: ValidateUserResponseDto } | { outcome: 'rejected' } | { outcome: 'unavailable' };

const FINGERPRINT = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Connections kept open to the server: one per validation in flight, up to this many (then they queue). */
const SERVER_CONNECTIONS = 128;

/**
 * The keyserver's one call to the server, on an undici pool of keep-alive
 * connections: a validation costs one round trip, without the WHATWG
 * streams and headers that `fetch` builds for every call. A pool follows no
 * redirect, so the API key never goes anywhere but SERVER_URL. Only a 403 is a
 * rejection; anything else unexpected is the server's (or the deployment's)
 * fault and answers 503, never a verdict on the client's token.
 */
@Injectable()
export class ServerClient implements OnApplicationShutdown {
  private readonly logger = new Logger(ServerClient.name);
  private readonly pool: Pool;
  private readonly validatePath: string;
  private readonly validateUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;
  private readonly validationDuration: Histogram;

  constructor(config: ConfigService<KeyserverConfig, true>, metrics: Metrics) {
    const serverUrl = new URL(config.get('serverUrl', { infer: true }));
    this.pool = new Pool(serverUrl.origin, { connections: SERVER_CONNECTIONS });
    // SERVER_URL may name a path prefix (a proxy in front of the server).
    this.validatePath = `${serverUrl.pathname.replace(/\/+$/, '')}/keyserver/user/validate`;
    this.validateUrl = `${serverUrl.origin}${this.validatePath}`;
    this.authorization = `Bearer ${config.get('keyserverApiKey', { infer: true })}`;
    this.timeoutMs = config.get('serverTimeoutMs', { infer: true });
    this.validationDuration = metrics.histogram({
      name: 'kx_validation_duration_seconds',
      help: 'Time for the server to answer validateUser (until its headers, failures and timeouts included)',
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.pool.close();
  }

  async validateUser(request: ValidateUserRequestDto): Promise<Validation> {
    let response: Dispatcher.ResponseData;
    const timed = this.validationDuration.startTimer();
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      response = await this.pool.request({
        method: 'POST',
        path: this.validatePath,
        headers: { authorization: this.authorization, 'content-type': 'application/json', ...requestIdHeader() },
        body: JSON.stringify(request),
        signal,
      });
    } catch (error) {
      this.logger.warn(`Server unreachable at ${this.validateUrl}: ${(error as Error).message}`);
      return { outcome: 'unavailable' };
    } finally {
      timed();
    }
    const status = response.statusCode;
    if (status === 200) {
      // The timeout still runs while the body arrives: a stalled body is a failure like a stalled answer.
      const user: unknown = await response.body.json().catch(() => undefined);
      if (isValidation(user, request.userId)) return { outcome: 'valid', user };
      this.logger.error(
        'The server answered validateUser with an unexpected body: are both services the same version?',
      );
      return { outcome: 'unavailable' };
    }
    // The timeout may fire while the body is discarded: that is no reason for a 500.
    await response.body.dump().catch(() => undefined);
    if (status === 403) return { outcome: 'rejected' };
    if (status === 401) {
      this.logger.error('The server refused our KEYSERVER_API_KEY: both services must be configured with the same key');
    } else if (status >= 500) {
      this.logger.warn(`Server answered ${status} to validateUser`);
    } else {
      this.logger.error(`Server answered ${status} to validateUser: is SERVER_URL the server's address?`);
    }
    return { outcome: 'unavailable' };
  }
}

/** The exact shape the server promises, about the user asked for; nothing is assumed. */
function isValidation(body: unknown, userId: string): body is ValidateUserResponseDto {
  const user = body as Partial<ValidateUserResponseDto> | null;
  return (
    typeof user === 'object' &&
    user !== null &&
    user.valid === true &&
    user.userId === userId &&
    typeof user.keyConfirmed === 'boolean' &&
    typeof user.sessionSecured === 'boolean' &&
    (user.keyVersion === null || isVersion(user.keyVersion)) &&
    (user.publicKeyFingerprint === null ||
      (typeof user.publicKeyFingerprint === 'string' && FINGERPRINT.test(user.publicKeyFingerprint))) &&
    (user.committedKeyChange === null || isCommittedChange(user.committedKeyChange)) &&
    (user.abandonedKeyChangeId === null || isChangeId(user.abandonedKeyChangeId))
  );
}

const isVersion = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1;
const isChangeId = (value: unknown): boolean => typeof value === 'string' && UUID.test(value);

function isCommittedChange(value: unknown): boolean {
  const change = value as { keyChangeId?: unknown; baseVersion?: unknown } | null;
  return (
    typeof change === 'object' && change !== null && isChangeId(change.keyChangeId) && isVersion(change.baseVersion)
  );
}

/** The keyserver request's id, so the server's line for this call can be found from the keyserver's. */
function requestIdHeader(): Record<string, string> {
  const id = currentRequestId();
  return id === undefined ? {} : { 'x-request-id': id };
}
