import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  GENEROUS_RATE_LIMITS,
  TEST_KEYSERVER_API_KEY,
  TEST_STORAGE_KEYS,
  TEST_VERIFIER_KEYS,
} from './apps.js';
import { sharedBuild } from './build.js';
import { createTestDatabase, type Service } from './database.js';
import supertest from 'supertest';

/** A service running as its own process, from its build, as production runs it. */
export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it wrote, stdout and stderr. */
  output: () => string;
  /** Requests to it over the loopback, as to an app in this process. */
  http: () => supertest.Agent;
}

export interface ServicePair {
  databases: Record<Service, string>;
  services: Record<Service, ServiceProcess>;
  /** Starts the service again (after it stopped or was killed) on its database and port. */
  restart: (service: Service) => Promise<ServiceProcess>;
}

/**
 * What a test file starts outside its own process: folders, databases and
 * service processes, all removed by `cleanUp()` (in afterAll), also when a
 * test failed.
 */
export class Scratch {
  private readonly folders: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];

  folder(prefix: string): string {
    const folder = mkdtempSync(join(tmpdir(), prefix));
    this.folders.push(folder);
    return folder;
  }

  /** Runs `work` at clean-up (dropping a database, closing a proxy). */
  onCleanUp(work: () => Promise<void>): void {
    this.cleanups.push(work);
  }

  /** The app's entry point, built once per test run (`sharedBuild`). */
  main(app: Service | 'client'): Promise<string> {
    return sharedBuild(app);
  }

  /**
   * Starts the service from its build with the tests' keys and generous rate
   * limits, plus `env`; answers once it answers `/health/live`. `env` must
   * say where its data is (DATABASE_URL or DATA_DIR) and, for a keyserver,
   * its SERVER_URL.
   */
  async start(service: Service, env: Record<string, string>, port?: number): Promise<ServiceProcess> {
    port ??= await freePort();
    const child = spawn(process.execPath, [await this.main(service)], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: String(port),
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'warn',
        SHUTDOWN_DRAIN_MS: '0',
        KEYSERVER_API_KEY: TEST_KEYSERVER_API_KEY,
        SERVER_VERIFIER_KEYS: TEST_VERIFIER_KEYS,
        KEYSERVER_STORAGE_KEYS: TEST_STORAGE_KEYS,
        ...GENEROUS_RATE_LIMITS,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    let early: number | null | undefined;
    void exited.then((code) => (early = code));
    // Ready once it answers: its logs may be too quiet to say so (LOG_LEVEL).
    for (;;) {
      if (early !== undefined) throw new Error(`The ${service} exited (${early}) before it was ready:\n${output}`);
      const live = await fetch(`${url}/health/live`).catch(() => undefined);
      if (live?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return { child, port, url, exited, output: () => output, http: () => supertest.agent(url) };
  }

  /**
   * Both services on PostgreSQL databases of their own, the keyserver
   * validating with the server, each with `env`. `services` always holds the
   * running process of each; `restart` starts one again on its data and port.
   */
  async startPair(env: Record<string, string> = {}): Promise<ServicePair> {
    const databases = {} as Record<Service, string>;
    for (const service of ['server', 'keyserver'] as const) {
      const database = await createTestDatabase(service);
      this.onCleanUp(database.drop);
      databases[service] = database.url;
    }
    const services = {} as Record<Service, ServiceProcess>;
    const envOf = (service: Service) => ({
      ...env,
      DATABASE_URL: databases[service],
      ...(service === 'keyserver' ? { SERVER_URL: services.server.url } : {}),
    });
    services.server = await this.start('server', envOf('server'));
    services.keyserver = await this.start('keyserver', envOf('keyserver'));
    return {
      databases,
      services,
      restart: async (service) => {
        services[service] = await this.start(service, envOf(service), services[service].port);
        return services[service];
      },
    };
  }

  async cleanUp(): Promise<void> {
    const running = this.children.filter((child) => child.exitCode === null && child.signalCode === null);
    const gone = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(gone);
    for (const work of this.cleanups) await work();
    for (const folder of this.folders) rmSync(folder, { recursive: true, force: true });
  }
}
