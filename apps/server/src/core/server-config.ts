import { createHash } from 'node:crypto';
import { loadConfig, resolveStorageKeys, ServiceEnvironment, serviceConfig, type ServiceConfig, type StorageKeyring } from '@app/platform';
import { Expose, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** The environment the server reads, validated once at start. */
class ServerEnvironment extends ServiceEnvironment {
  override PORT = 3000;

  @Expose() @Type(() => Number) @IsInt() @Min(60) @Max(30 * 24 * 3600)
  SESSION_TTL_SECONDS = 12 * 3600;

  /** `id:base64url-32-bytes[,...]`: encrypt the stored login verifiers at rest; the first is current. */
  @Expose() @IsOptional() @IsString()
  SERVER_VERIFIER_KEYS?: string;
}

export interface ServerConfig extends ServiceConfig {
  /** Only the hash is kept: the server compares, it never presents the key. */
  keyserverApiKeyHash: Buffer;
  sessionTtlSeconds: number;
  verifierKeys: StorageKeyring;
}

export function loadServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const e = loadConfig(ServerEnvironment, env);
  const { keyserverApiKey, ...shared } = serviceConfig(e, 'server');
  return {
    ...shared,
    keyserverApiKeyHash: createHash('sha256').update(keyserverApiKey).digest(),
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    verifierKeys: resolveStorageKeys({
      variable: 'SERVER_VERIFIER_KEYS',
      value: e.SERVER_VERIFIER_KEYS,
      production: shared.production,
      dataRoot: e.DATA_DIR,
      file: 'server-verifier-keys',
    }),
  };
}
