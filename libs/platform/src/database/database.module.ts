import { DynamicModule, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type MixedList } from 'typeorm';
import { ConfigurationError } from '../config/load-config.js';
import { DatabaseLogger } from './database-logger.js';
import { EmbeddedPostgres, embeddedPoolOptions } from './embedded-postgres.js';

/** The part of every service's configuration that selects its database. */
export interface DatabaseConfig {
  /** PostgreSQL connection string; without it the embedded engine is used. */
  url?: string;
  /** Where the embedded engine keeps its files, or `memory://`. */
  dataDir: string;
  /** DB_QUERY_TIMEOUT_MS: on connecting and on every statement. */
  queryTimeoutMs: number;
  /** MIGRATIONS=run (the default): apply pending migrations at start, under an advisory lock. */
  runMigrations: boolean;
}

/** Any number of instances may start on one empty database: one migrates while the others wait. */
const MIGRATIONS_LOCK = 7_461_029_385_110_417;

export interface DatabaseModuleOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/** Starts the embedded engine when no DATABASE_URL is set, and stops it last. */
@Injectable()
class EmbeddedPostgresHost implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private engine?: EmbeddedPostgres;

  async connectionFor(config: DatabaseConfig): Promise<Partial<DataSourceOptions>> {
    if (config.url) return { url: config.url };
    this.engine = await EmbeddedPostgres.start(config.dataDir);
    this.logger.log(`No DATABASE_URL: embedded PostgreSQL (PGlite) in ${config.dataDir}`);
    return {
      host: this.engine.host,
      port: this.engine.port,
      username: 'postgres',
      database: 'postgres',
      extra: embeddedPoolOptions,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine?.stop();
  }
}

@Module({ providers: [EmbeddedPostgresHost], exports: [EmbeddedPostgresHost] })
class EmbeddedPostgresModule {}

@Module({})
export class DatabaseModule {
  static forRoot({ migrations }: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [EmbeddedPostgresModule],
          inject: [ConfigService, EmbeddedPostgresHost],
          useFactory: async (config: ConfigService, host: EmbeddedPostgresHost) => {
            const database = config.getOrThrow<DatabaseConfig>('database');
            const connection = await host.connectionFor(database);
            const timeout = database.queryTimeoutMs;
            const options = {
              type: 'postgres',
              ...connection,
              // Server side, the statement stops; client side, a stalled connection answers all the same.
              extra: {
                ...(connection.extra as Record<string, unknown> | undefined),
                connectionTimeoutMillis: timeout,
                statement_timeout: timeout,
                query_timeout: timeout,
              },
              // No entities: the migrations' SQL is the schema (ARCHITECTURE.md).
              entities: [],
              migrations,
              // Applied (or checked) by prepareSchema first, on a connection of its own.
              migrationsRun: false,
              migrationsTransactionMode: 'each',
              synchronize: false,
              installExtensions: false,
              // Our logger, not TypeORM's: its failed-query log prints the parameters.
              logger: new DatabaseLogger(),
            } as DataSourceOptions;
            await prepareSchema(options, database.runMigrations);
            return options;
          },
        }),
      ],
    };
  }
}

/**
 * Brings the schema up to date before the service's pool opens, on a
 * connection of its own without the statement timeout (building an index may
 * take longer than any request should): pending migrations are applied under
 * a PostgreSQL advisory lock, so the first of several instances starting
 * together migrates and the others wait and find nothing to do (the embedded
 * engine serves one process on one connection: no lock there). With
 * MIGRATIONS=skip, a schema behind the code is refused, naming the first
 * migration it lacks.
 */
export async function prepareSchema(options: DataSourceOptions, runMigrations: boolean): Promise<void> {
  const extra = { ...(options as { extra?: Record<string, unknown> }).extra };
  delete extra.statement_timeout;
  delete extra.query_timeout;
  const embedded = extra.max === 1;
  const migrator = await new DataSource({
    ...options,
    extra: { ...extra, max: embedded ? 1 : 2 },
  }).initialize();
  try {
    if (!runMigrations) await refusePending(migrator);
    else if (embedded) await migrator.runMigrations({ transaction: 'each' });
    else await underLock(migrator, () => migrator.runMigrations({ transaction: 'each' }));
  } finally {
    await migrator.destroy();
  }
}

async function underLock(dataSource: DataSource, work: () => Promise<unknown>): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATIONS_LOCK]);
    try {
      await work();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATIONS_LOCK]);
    }
  } finally {
    await lock.release();
  }
}

async function refusePending(dataSource: DataSource): Promise<void> {
  if (!(await dataSource.showMigrations())) return;
  const applied = new Set<string>(
    (await dataSource.query<{ name: string }[]>(`SELECT name FROM migrations`).catch(() => [])).map((row) => row.name),
  );
  const first = dataSource.migrations.find((migration) => !applied.has(migration.name ?? migration.constructor.name));
  throw new ConfigurationError(
    `The database lacks migration ${first?.name ?? 'unknown'} and MIGRATIONS=skip: run \`npm run migrate\` first, or start with MIGRATIONS=run.`,
  );
}
