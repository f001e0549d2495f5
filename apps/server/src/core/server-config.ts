import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  IN_MEMORY,
  loadConfig,
  MIN_KEYSERVER_API_KEY_LENGTH,
  resolveKeyserverApiKey,
  type DatabaseConfig,
} from '@app/platform';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The environment the server reads, validated once at start. */
class ServerEnvironment {
  @Expose() @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @Expose() @IsString()
  HOST = '127.0.0.1';

  @Expose() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Root of the embedded database and the development API key file. */
  @Expose() @IsString()
  DATA_DIR = './data';

  @Expose() @IsOptional() @MinLength(MIN_KEYSERVER_API_KEY_LENGTH)
  KEYSERVER_API_KEY?: string;

  @Expose() @Type(() => Number) @IsInt() @Min(60) @Max(30 * 24 * 3600)
  SESSION_TTL_SECONDS = 12 * 3600;
}

export interface ServerConfig {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
  /** Only the hash is kept, so the key itself never sits in the app's memory graph. */
  keyserverApiKeyHash: Buffer;
  sessionTtlSeconds: number;
}

export function loadServerConfig(env: Record<string, string | undefined>): ServerConfig {
  const e = loadConfig(ServerEnvironment, env);
  const production = e.NODE_ENV === 'production';
  const apiKey = resolveKeyserverApiKey({ value: e.KEYSERVER_API_KEY, production, dataRoot: e.DATA_DIR });
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    database: {
      url: e.DATABASE_URL,
      dataDir: e.DATA_DIR === IN_MEMORY ? IN_MEMORY : join(e.DATA_DIR, 'server'),
    },
    keyserverApiKeyHash: createHash('sha256').update(apiKey).digest(),
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
  };
}
