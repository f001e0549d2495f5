import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, TEST_KEYSERVER_API_KEY, TEST_VERIFIER_KEYS } from './support/apps.js';
import { sharedBuild } from './support/build.js';
import { createTestDatabase, onPostgres } from './support/database.js';
import { randomPassword, uniqueEmail } from './support/users.js';
import { stringMatching } from './support/matchers.js';

/** What a test creates outside the process: removed in afterAll, also when a test failed. */
const folders: string[] = [];
const processes: ChildProcess[] = [];
const drops: Array<() => Promise<void>> = [];
const tempFolder = (prefix: string) => {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
};

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

/** One request on a kept-alive connection of `agent`. */
function call(agent: Agent, port: number, method: string, path: string, body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body && JSON.stringify(body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A real server process, started from its build; answers once it says it is ready. */
async function startProcess(
  main: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; port: number; exited: Promise<number | null>; output: () => string }> {
  const port = await freePort();
  const database = onPostgres ? await createTestDatabase('server') : undefined;
  if (database) drops.push(database.drop);
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: String(port),
      LOG_FORMAT: 'json',
      KEYSERVER_API_KEY: TEST_KEYSERVER_API_KEY,
      SERVER_VERIFIER_KEYS: TEST_VERIFIER_KEYS,
      ...(database ? { DATABASE_URL: database.url } : { DATA_DIR: tempFolder('kx-shutdown-data-') }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  processes.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (output.includes('ready on')) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(check);
      reject(new Error(`The server exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, port, exited, output: () => output };
}

describe('graceful shutdown of a real server process', () => {
  let main: string;
  beforeAll(async () => {
    main = await sharedBuild('server');
  });
  afterAll(async () => {
    for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
    for (const drop of drops) await drop();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('on SIGTERM: not ready at once, still serving through the drain, then answers in flight with Connection: close and exits 0', async () => {
    // A drain long enough for what the test does in it (a registration is a scrypt hash, over a second on a
    // loaded two-core machine) with time to spare before the login it sends just before the end.
    const DRAIN_MS = 5000;
    const { child, port, exited, output } = await startProcess(main, {
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const agent = new Agent({ keepAlive: true });
    const idle = new Agent({ keepAlive: true });
    try {
      expect((await call(agent, port, 'GET', '/health/ready')).status).toBe(200);
      // A kept-alive connection that stays idle: it must not hold the process up.
      expect((await call(idle, port, 'GET', '/health/live')).status).toBe(200);

      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ready = await call(agent, port, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({
        statusCode: 503,
        error: 'Service Unavailable',
        message: stringMatching(/shutting down/),
      });
      expect((await call(agent, port, 'GET', '/health/live')).status).toBe(200);
      // Still serving: a registration during the drain succeeds.
      const credentials = { email: uniqueEmail(), password: randomPassword() };
      expect((await call(agent, port, 'POST', '/api/auth/register', credentials)).status).toBe(201);

      // A login (a scrypt hash, most of a second) sent just before the drain ends is in flight when stopping begins.
      const left = DRAIN_MS - (Date.now() - signalled);
      expect(left, 'the drain must still be on when the login is sent').toBeGreaterThan(500);
      await new Promise((resolve) => setTimeout(resolve, left - 150));
      const inFlight = await call(agent, port, 'POST', '/api/auth/login', credentials);
      expect(inFlight.status).toBe(200);
      expect(inFlight.connection).toBe('close');

      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(DRAIN_MS);
      expect(output()).toMatch(/SIGTERM: not ready any more/);
      await expect(call(new Agent(), port, 'GET', '/health/live')).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      agent.destroy();
      idle.destroy();
    }
  });

  it('exits 1 when it has not stopped within SHUTDOWN_TIMEOUT_MS, counted from SIGTERM', async () => {
    // One hash at a time, so a queue of logins keeps requests in flight past the timeout.
    const { child, port, exited, output } = await startProcess(main, {
      SHUTDOWN_DRAIN_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '1000',
      LOGIN_HASH_CONCURRENCY: '1',
    });
    const credentials = { email: uniqueEmail(), password: randomPassword() };
    const agent = new Agent({ keepAlive: false });
    expect((await call(agent, port, 'POST', '/api/auth/register', credentials)).status).toBe(201);
    const logins = Array.from({ length: 6 }, () =>
      call(agent, port, 'POST', '/api/auth/login', credentials).catch(() => undefined),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(output()).toMatch(/Not stopped within SHUTDOWN_TIMEOUT_MS \(1000 ms\)/);
    await Promise.all(logins);
  });

  it('refuses a drain as long as the timeout, at start', async () => {
    await expect(startProcess(main, { SHUTDOWN_DRAIN_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000' })).rejects.toThrow(
      /SHUTDOWN_DRAIN_MS \(5000\) must be below SHUTDOWN_TIMEOUT_MS \(5000\)/,
    );
  });
});
