import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { configureHttpApp, IN_MEMORY, RATE_LIMIT_VARIABLES } from '@app/platform';
import { Logger } from 'nestjs-pino';
import supertest from 'supertest';
import { KeyserverModule } from '../../apps/keyserver/src/app.module.js';
import { ServerModule } from '../../apps/server/src/app.module.js';
import { createTestDatabase, onPostgres, type Service } from './database.js';

export interface RunningApp {
  app: INestApplication;
  url: string;
  /** The PostgreSQL database it runs on (test:pg only); another instance may share it. */
  databaseUrl?: string;
  http: () => supertest.Agent;
  close: () => Promise<void>;
  /**
   * Stops the app without a word to anyone, as a crash would leave its data
   * (nothing dropped), and starts the same service on that data and port.
   * Needs data that outlives the process: PostgreSQL, or a DATA_DIR folder.
   */
  restart: () => Promise<RunningApp>;
}

/** Shared by every pair of apps a test file starts. */
export const TEST_KEYSERVER_API_KEY = randomBytes(32).toString('base64url');
/** The keyserver's storage keyring in tests (never a file under DATA_DIR). */
export const TEST_STORAGE_KEY = { id: 'test1', key: randomBytes(32) };
export const TEST_STORAGE_KEYS = `${TEST_STORAGE_KEY.id}:${TEST_STORAGE_KEY.key.toString('base64url')}`;
/** The server's verifier keyring in tests. */
export const TEST_VERIFIER_KEY = { id: 'test1', key: randomBytes(32) };
export const TEST_VERIFIER_KEYS = `${TEST_VERIFIER_KEY.id}:${TEST_VERIFIER_KEY.key.toString('base64url')}`;

/**
 * Limits on, so every flow runs through the counters, but far above what a
 * test file does; a test of a limit sets that limit low.
 */
export const GENEROUS_RATE_LIMITS = Object.fromEntries(
  Object.values(RATE_LIMIT_VARIABLES).map((variable) => [variable, '100000/1h']),
);

async function start(
  service: Service,
  env: Record<string, string>,
  port = 0,
  database: { url: string; drop: () => Promise<void> } | undefined = undefined,
): Promise<RunningApp> {
  // An explicit DATABASE_URL shares another instance's database, which that instance drops.
  database ??= onPostgres && !env.DATABASE_URL ? await createTestDatabase(service) : undefined;
  const fullEnv: Record<string, string> = {
    NODE_ENV: 'test',
    KEYSERVER_API_KEY: TEST_KEYSERVER_API_KEY,
    KEYSERVER_STORAGE_KEYS: TEST_STORAGE_KEYS,
    SERVER_VERIFIER_KEYS: TEST_VERIFIER_KEYS,
    ...GENEROUS_RATE_LIMITS,
    // Request lines are info: a test that reads them sets LOG_LEVEL.
    LOG_LEVEL: 'warn',
    // No load balancer to wait for (the shutdown test, on a real process, sets its own).
    SHUTDOWN_DRAIN_MS: '0',
    ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: IN_MEMORY }),
    ...env,
  };
  const root = service === 'server' ? ServerModule.forRoot(fullEnv) : KeyserverModule.forRoot(fullEnv);
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const app = configureHttpApp(
    moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] }),
  );
  // As main.ts does: Nest's logs go through the app's pino, at its LOG_LEVEL.
  app.useLogger(app.get(Logger));
  await app.listen(port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    databaseUrl: fullEnv.DATABASE_URL,
    http: () => supertest.agent(app.getHttpServer()),
    close: async () => {
      await app.close();
      await database?.drop();
    },
    restart: async () => {
      if (fullEnv.DATA_DIR === IN_MEMORY)
        throw new Error('restart() needs data that outlives the app: PostgreSQL or a DATA_DIR folder');
      await app.close();
      return start(service, env, Number(new URL(url).port), database);
    },
  };
}

/** The server, on its own database, listening on a loopback port. */
export function startServer(env: Record<string, string> = {}): Promise<RunningApp> {
  return start('server', env);
}

/** A keyserver whose guard calls the given server over HTTP. */
export function startKeyserver(serverUrl: string, env: Record<string, string> = {}): Promise<RunningApp> {
  return start('keyserver', { SERVER_URL: serverUrl, ...env });
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** A server and a keyserver that validates with it. */
export async function startServices(): Promise<{ server: RunningApp; keyserver: RunningApp }> {
  const server = await startServer();
  return { server, keyserver: await startKeyserver(server.url) };
}

/** Closes apps in the order given (a keyserver before its server); tolerates ones that never started. */
export async function closeAll(...apps: Array<RunningApp | undefined>): Promise<void> {
  for (const app of apps) await app?.close();
}
