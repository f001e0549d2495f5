import { keyChangeReceiptKey } from '@app/crypto';
import {
  ConfigurationError,
  loadConfig,
  parseRateLimits,
  RateLimitVariable,
  resolveStorageKeys,
  ServiceEnvironment,
  serviceConfig,
  type ServiceConfig,
  type StorageKeyring,
} from '@app/platform';
import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

/** The environment the keyserver reads, validated once at start. */
class KeyserverEnvironment extends ServiceEnvironment {
  override PORT = 3001;

  /** Where the server's validate endpoint is. */
  @Expose()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SERVER_URL = 'http://127.0.0.1:3000';

  /** Lets production reach the server over plain http, on a private network only. */
  @Expose()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'ALLOW_INSECURE_SERVER_URL must be true or false' })
  ALLOW_INSECURE_SERVER_URL = false;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SERVER_TIMEOUT_MS = 5000;

  /** `id:base64url-32-bytes[,...]`: encrypt the stored blobs at rest; the first is current. */
  @Expose()
  @IsOptional()
  @IsString()
  KEYSERVER_STORAGE_KEYS?: string;

  @RateLimitVariable() RATE_LIMIT_KEYS_PER_USER = '60/1h';
}

export interface KeyserverConfig extends ServiceConfig {
  keyserverApiKey: string;
  /** Signs the receipts of staged key changes; derived (non-extractable) from the API key. */
  keyChangeReceiptKey: Promise<CryptoKey>;
  serverUrl: string;
  serverTimeoutMs: number;
  storageKeys: StorageKeyring;
}

export function loadKeyserverConfig(env: Record<string, string | undefined>): KeyserverConfig {
  const e = loadConfig(KeyserverEnvironment, env);
  const shared = serviceConfig(e, 'keyserver');
  // The API key and every access token cross this link.
  if (shared.production && new URL(e.SERVER_URL).protocol !== 'https:' && !e.ALLOW_INSECURE_SERVER_URL) {
    throw new ConfigurationError(
      'SERVER_URL must be https when NODE_ENV=production: the API key and access tokens travel on it. ' +
        'Set ALLOW_INSECURE_SERVER_URL=true only if the keyserver reaches the server over a private network.',
    );
  }
  return {
    ...shared,
    rateLimits: {
      ...shared.rateLimits,
      rules: { ...shared.rateLimits.rules, ...parseRateLimits({ keysPerUser: e.RATE_LIMIT_KEYS_PER_USER }) },
    },
    keyChangeReceiptKey: keyChangeReceiptKey(shared.keyserverApiKey),
    serverUrl: e.SERVER_URL.replace(/\/+$/, ''),
    serverTimeoutMs: e.SERVER_TIMEOUT_MS,
    storageKeys: resolveStorageKeys({
      variable: 'KEYSERVER_STORAGE_KEYS',
      value: e.KEYSERVER_STORAGE_KEYS,
      production: shared.production,
      dataRoot: e.DATA_DIR,
      file: 'keyserver-storage-keys',
    }),
  };
}
