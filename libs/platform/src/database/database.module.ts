import {
  DynamicModule,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions, MixedList } from 'typeorm';
import { DatabaseLogger } from './database-logger.js';
import { EmbeddedPostgres, embeddedPoolOptions } from './embedded-postgres.js';

/** The part of every service's configuration that selects its database. */
export interface DatabaseConfig {
  /** PostgreSQL connection string; without it the embedded engine is used. */
  url?: string;
  /** Where the embedded engine keeps its files, or `memory://`. */
  dataDir: string;
}

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
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          imports: [EmbeddedPostgresModule],
          inject: [ConfigService, EmbeddedPostgresHost],
          useFactory: async (config: ConfigService, host: EmbeddedPostgresHost) =>
            ({
              type: 'postgres',
              ...(await host.connectionFor(config.getOrThrow<DatabaseConfig>('database'))),
              // No entities: the migrations' SQL is the schema (ARCHITECTURE.md).
              entities: [],
              migrations: options.migrations,
              // The schema comes only from migrations, applied at start.
              migrationsRun: true,
              migrationsTransactionMode: 'each',
              synchronize: false,
              installExtensions: false,
              // Our logger, not TypeORM's: its failed-query log prints the parameters.
              logger: new DatabaseLogger(),
            }) as DataSourceOptions,
        }),
      ],
    };
  }
}

