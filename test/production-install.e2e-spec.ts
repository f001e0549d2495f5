import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TEST_KEYSERVER_API_KEY, TEST_STORAGE_KEYS, TEST_VERIFIER_KEYS } from './support/apps.js';
import { buildApp } from './support/build.js';
import { createTestDatabase, onPostgres } from './support/database.js';
import { randomPassword, uniqueEmail } from './support/users.js';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('..', import.meta.url));

/**
 * What the image does, without Docker: the build, the production dependencies
 * alone (`npm ci --omit=dev`), and both services started with
 * NODE_ENV=production. PostgreSQL only: production refuses the embedded database.
 */
describe.skipIf(!onPostgres)('a production install (npm ci --omit=dev) runs both services', () => {
  let folder: string;
  const processes: ChildProcess[] = [];
  const drops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'kx-production-'));
    buildApp('server', folder, { linkModules: false });
    buildApp('keyserver', folder, { linkModules: false });
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(repository, file), join(folder, file));
    // No install scripts: the production dependencies need none.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: folder });
    // As `npm run build` does: each service as one file, started from its entry (what the image runs).
    for (const service of ['server', 'keyserver']) {
      await run(process.execPath, [
        join(repository, 'scripts/bundle.mjs'),
        join(folder, `apps/${service}/src/main.js`),
        join(folder, `apps/${service}`),
      ]);
    }
  }, 300_000);

  afterAll(async () => {
    for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
    for (const drop of drops) await drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** A service from the production install; answers its port once it says it is ready. */
  async function start(
    service: 'server' | 'keyserver',
    env: Record<string, string>,
  ): Promise<{ port: number; child: ChildProcess }> {
    const port = await freePort();
    const database = await createTestDatabase(service);
    drops.push(database.drop);
    const child = spawn(process.execPath, [join(folder, `apps/${service}/main.mjs`)], {
      cwd: folder,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.url,
        KEYSERVER_API_KEY: TEST_KEYSERVER_API_KEY,
        SHUTDOWN_DRAIN_MS: '0',
        NODE_COMPILE_CACHE: join(folder, 'compile-cache'),
        // As the Dockerfile runs them.
        NODE_OPTIONS: '--max-semi-space-size=4',
        MALLOC_ARENA_MAX: '2',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    processes.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => output.includes('ready on') && (clearInterval(check), resolve()), 50);
      child.once('exit', (code) => {
        clearInterval(check);
        reject(new Error(`${service} exited (${code}) before it was ready:\n${output}`));
      });
    });
    return { port, child };
  }

  it('holds no development dependency', () => {
    // (typescript stays: @nestjs/swagger depends on it.)
    for (const development of ['vitest', 'supertest', '@nestjs/cli', 'node', 'pino-pretty', '@redocly/cli']) {
      expect(existsSync(join(folder, 'node_modules', development))).toBe(false);
    }
    expect(existsSync(join(folder, 'node_modules/@nestjs/core'))).toBe(true);
  });

  it('starts both services ready, serves a login, and stops on SIGTERM with exit 0', async () => {
    const server = await start('server', { SERVER_VERIFIER_KEYS: TEST_VERIFIER_KEYS });
    const keyserver = await start('keyserver', {
      KEYSERVER_STORAGE_KEYS: TEST_STORAGE_KEYS,
      SERVER_URL: `http://127.0.0.1:${server.port}`,
      // The test's loopback stands for compose's private network.
      ALLOW_INSECURE_SERVER_URL: 'true',
    });
    for (const { port } of [server, keyserver]) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
    }
    const credentials = { email: uniqueEmail('production'), password: randomPassword() };
    const post = (path: string) =>
      fetch(`http://127.0.0.1:${server.port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
    expect((await post('/api/auth/register')).status).toBe(201);
    expect((await post('/api/auth/login')).status).toBe(200);

    for (const { child } of [keyserver, server]) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
