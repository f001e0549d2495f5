import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's logger, written through Nest's. A failed query is logged with its
 * SQL, the error's code and message, and never its parameters (session ids,
 * token hashes) nor the driver's `detail`, which quotes key values; a
 * parameter the message itself quotes (`invalid input syntax for type uuid:
 * "..."`) is replaced by its placeholder. Successful queries and schema
 * building are not logged; migrations and warnings are.
 */
export class DatabaseLogger implements TypeOrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logSchemaBuild(): void {}

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object): void {
    const { code, message } =
      typeof error === 'string' ? { code: undefined, message: error } : (error as Error & { code?: unknown });
    const redacted = redactParameters(String(message), parameters);
    this.logger.error(`Query failed${typeof code === 'string' ? ` (${code})` : ''}: ${redacted} | ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${query}`);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

// Shorter values cannot carry a secret, and would blank unrelated words.
const MIN_REDACTED_LENGTH = 4;

function redactParameters(message: string, parameters?: unknown[] | object): string {
  const values = Array.isArray(parameters) ? parameters : Object.values(parameters ?? {});
  return values.reduce<string>((text, value, index) => {
    if (value === null || value === undefined) return text;
    const shown = Buffer.isBuffer(value) ? value.toString('hex') : String(value);
    return shown.length < MIN_REDACTED_LENGTH ? text : text.split(shown).join(`$${index + 1}`);
  }, message);
}
