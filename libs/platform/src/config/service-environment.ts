import { join } from 'node:path';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import type { DatabaseConfig } from '../database/database.module.js';
import { IN_MEMORY } from '../database/embedded-postgres.js';
import { MIN_KEYSERVER_API_KEY_LENGTH, resolveKeyserverApiKey } from './keyserver-api-key.js';
import { ConfigurationError } from './load-config.js';

/** The variables both services read; each service's schema extends it. */
export class ServiceEnvironment {
  @Expose() @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  PORT: number;

  @Expose() @IsString()
  HOST = '127.0.0.1';

  @Expose() @IsOptional() @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Root of the embedded database and the development API key file. */
  @Expose() @IsString()
  DATA_DIR = './data';

  @Expose() @IsOptional() @MinLength(MIN_KEYSERVER_API_KEY_LENGTH)
  KEYSERVER_API_KEY?: string;
}

export interface ServiceConfig {
  production: boolean;
  port: number;
  host: string;
  database: DatabaseConfig;
}

/** The shared part of a service's configuration, and the keyserver API key it uses. */
export function serviceConfig(env: ServiceEnvironment, service: string): ServiceConfig & { keyserverApiKey: string } {
  const production = env.NODE_ENV === 'production';
  if (production && !env.DATABASE_URL) {
    throw new ConfigurationError(
      'DATABASE_URL is required when NODE_ENV=production: the embedded database (PGlite) is for development only. ' +
        `Set DATABASE_URL to the ${service}'s own PostgreSQL database (postgres://user:password@host:5432/${service}).`,
    );
  }
  return {
    production,
    port: env.PORT,
    host: env.HOST,
    database: {
      url: env.DATABASE_URL,
      dataDir: env.DATA_DIR === IN_MEMORY ? IN_MEMORY : join(env.DATA_DIR, service),
    },
    keyserverApiKey: resolveKeyserverApiKey({ value: env.KEYSERVER_API_KEY, production, dataRoot: env.DATA_DIR }),
  };
}
