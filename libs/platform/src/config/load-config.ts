import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Reads an environment into a validated class, or throws a message that names
 * every bad variable. Unset and empty variables take the class's defaults.
 */
export function loadConfig<T extends object>(
  schema: new () => T,
  env: Record<string, string | undefined>,
): T {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
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
    load: [() => config as Record<string, unknown>],
  });
}
