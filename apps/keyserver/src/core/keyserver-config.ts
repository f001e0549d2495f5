import { loadConfig, ServiceEnvironment, serviceConfig, type ServiceConfig } from '@app/platform';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsUrl, Max, Min } from 'class-validator';

/** The environment the keyserver reads, validated once at start. */
class KeyserverEnvironment extends ServiceEnvironment {
  override PORT = 3001;

  /** Where the server's validate endpoint is. */
  @Expose() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SERVER_URL = 'http://127.0.0.1:3000';

  @Expose() @Type(() => Number) @IsInt() @Min(100) @Max(60_000)
  SERVER_TIMEOUT_MS = 5000;
}

export interface KeyserverConfig extends ServiceConfig {
  keyserverApiKey: string;
  serverUrl: string;
  serverTimeoutMs: number;
}

export function loadKeyserverConfig(env: Record<string, string | undefined>): KeyserverConfig {
  const e = loadConfig(KeyserverEnvironment, env);
  return {
    ...serviceConfig(e, 'keyserver'),
    serverUrl: e.SERVER_URL.replace(/\/+$/, ''),
    serverTimeoutMs: e.SERVER_TIMEOUT_MS,
  };
}
