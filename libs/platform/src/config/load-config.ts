import { readFileSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Settings that may also be read from a file named by `<NAME>_FILE`, as container secrets are mounted. */
export const SECRET_SETTINGS = [
  'KEYSERVER_API_KEY',
  'KEYSERVER_STORAGE_KEYS',
  'SERVER_VERIFIER_KEYS',
  'METRICS_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

/**
 * Reads an environment into a validated class, or throws a message that names
 * every bad variable. Unset and empty variables take the class's defaults.
 */
export function loadConfig<T extends object>(schema: new () => T, env: Record<string, string | undefined>): T {
  const present = Object.fromEntries(
    Object.entries(withSecretFiles(env)).filter(([, value]) => value !== undefined && value !== ''),
  );
  const config = plainToInstance(schema, present, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigurationError(`Invalid configuration:\n${errors.map(describe).join('\n')}`);
  }
  return config;
}

/**
 * The environment with each `<NAME>_FILE` of a secret setting read into
 * `<NAME>` (one trailing newline dropped, as editors and `echo` add one).
 * Both set is ambiguous, and refused.
 */
export function withSecretFiles(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const resolved = { ...env };
  for (const name of SECRET_SETTINGS) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    if (env[name]) throw new ConfigurationError(`Set ${name} or ${name}_FILE, not both.`);
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        `${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      );
    }
    resolved[name] = content.replace(/\r?\n$/, '');
  }
  return resolved;
}

function describe(error: ValidationError): string {
  return `  - ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`;
}

/**
 * The app's ConfigModule, serving an already validated configuration object:
 * nothing reads process.env after start, and two apps in one process (tests)
 * never see each other's settings.
 */
export function configModuleFor(config: object): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    ignoreEnvVars: true,
    skipProcessEnv: true,
    load: [() => config],
  });
}
