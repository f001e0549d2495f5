import { randomBytes } from 'node:crypto';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configModuleFor, DatabaseModule, IN_MEMORY } from '../src/index.js';

class CreateSecrets1700000000000 implements MigrationInterface {
  name = 'CreateSecrets1700000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE secrets (
        value text NOT NULL CONSTRAINT secrets_value_key UNIQUE
          CONSTRAINT secrets_value_short CHECK (length(value) <= 40)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE secrets');
  }
}

/** Everything written through Nest's Logger, as one string per line. */
const logged: string[] = [];
const capture: LoggerService = {
  log: (message: unknown) => logged.push(`log ${String(message)}`),
  error: (message: unknown) => logged.push(`error ${String(message)}`),
  warn: (message: unknown) => logged.push(`warn ${String(message)}`),
};

/** A recognisable value: it must never reach the log. */
const secret = () => `secret-${randomBytes(8).toString('hex')}`;

describe('database logging', { timeout: 60_000 }, () => {
  let moduleRef: TestingModule;
  let db: DataSource;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        await configModuleFor({ database: { dataDir: IN_MEMORY, queryTimeoutMs: 5000, runMigrations: true } }),
        DatabaseModule.forRoot({ migrations: [CreateSecrets1700000000000] }),
      ],
    })
      .setLogger(capture)
      .compile();
    db = moduleRef.get(DataSource);
  }, 120_000);

  afterAll(async () => {
    await moduleRef?.close();
    Logger.overrideLogger(new ConsoleLogger());
  });

  /** What is logged while `sql` fails. */
  async function logOfFailing(sql: string, parameters: unknown[]): Promise<string> {
    logged.length = 0;
    await expect(db.query(sql, parameters)).rejects.toThrow();
    return logged.join('\n');
  }

  it('logs a unique violation with its SQL, code and message, without the parameters or the detail', async () => {
    const value = secret();
    await db.query('INSERT INTO secrets (value) VALUES ($1)', [value]);
    const log = await logOfFailing('INSERT INTO secrets (value) VALUES ($1)', [value]);
    expect(log).toContain('(23505)');
    expect(log).toContain('duplicate key value violates unique constraint "secrets_value_key"');
    expect(log).toContain('INSERT INTO secrets (value) VALUES ($1)');
    expect(log).not.toContain(value);
    expect(log).not.toContain('already exists'); // the detail: "Key (value)=(...) already exists."
  });

  it('logs a check violation without the failing row', async () => {
    const value = `${secret()}${'x'.repeat(40)}`;
    const log = await logOfFailing('INSERT INTO secrets (value) VALUES ($1)', [value]);
    expect(log).toContain('(23514)');
    expect(log).toContain('violates check constraint "secrets_value_short"');
    expect(log).not.toContain(value.slice(0, 20));
    expect(log).not.toContain('Failing row');
  });

  it('replaces a parameter the error message quotes by its placeholder', async () => {
    const value = secret();
    const log = await logOfFailing('SELECT $1::uuid', [value]);
    expect(log).toContain('(22P02)');
    expect(log).toContain('invalid input syntax for type uuid: "$1"');
    expect(log).not.toContain(value);
  });
});
