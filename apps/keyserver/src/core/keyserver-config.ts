import { join } from 'node:path';
import {
  IN_MEMORY,
  loadConfig,
  MIN_KEYSERVER_API_KEY_LENGTH,
  resolveKeyserverApiKey,
  type DatabaseConfig,
} from '@app/platform';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

/** The environment the keyserver reads, validated once at start. */
class KeyserverEnvironment {
  @Expose() @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT = 3001;

  @Expose() @IsString()
  HOST = '127.0.0.1';

  @Expose() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Root of the embedded database and the development API key file. */
  @Expose() @IsString()
  DATA_DIR = './data';

  @Expose() @IsOptional() @MinLength(MIN_KEYSERVER_API_KEY_LENGTH)
  KEYSERVER_API_KEY?: string;

  /** Where the server's validate endpoint is. */
  @Expose() @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  SERVER_URL = 'http://127.0.0.1:3000';

  @Expose() @Type(() => Number) @IsInt() @Min(100) @Max(60_000)
  SERVER_TIMEOUT_MS = 5000;
}

export interface KeyserverConfig {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
  keyserverApiKey: string;
  serverUrl: string;
  serverTimeoutMs: number;
}

export function loadKeyserverConfig(env: Record<string, string | undefined>): KeyserverConfig {
  const e = loadConfig(KeyserverEnvironment, env);
  const production = e.NODE_ENV === 'production';
  return {
    production,
    port: e.PORT,
    host: e.HOST,
    database: {
      url: e.DATABASE_URL,
      dataDir: e.DATA_DIR === IN_MEMORY ? IN_MEMORY : join(e.DATA_DIR, 'keyserver'),
    },
    keyserverApiKey: resolveKeyserverApiKey({ value: e.KEYSERVER_API_KEY, production, dataRoot: e.DATA_DIR }),
    serverUrl: e.SERVER_URL.replace(/\/+$/, ''),
    serverTimeoutMs: e.SERVER_TIMEOUT_MS,
  };
}
