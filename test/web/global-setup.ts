import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function ready(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}\n${output()}`);
    if ((await fetch(url).catch(() => undefined))?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer\n${output()}`);
}

/**
 * Both services (from the build, on the embedded database in a scratch
 * folder) and the web app, as `npm start` runs them on ports of their own;
 * their URLs go to the tests through the environment. The returned function
 * stops them and removes the folder.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kx-web-'));
  const [serverPort, keyserverPort, webPort, idlePort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const urls = {
    server: `http://127.0.0.1:${serverPort}`,
    keyserver: `http://127.0.0.1:${keyserverPort}`,
    web: `http://127.0.0.1:${webPort}`,
    // The same app locking after 3 s without input, for the idle lock's test.
    idleWeb: `http://127.0.0.1:${idlePort}`,
  };
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_MS: '0',
    KEYSERVER_API_KEY: randomBytes(32).toString('base64url'),
    SERVER_VERIFIER_KEYS: `web1:${randomBytes(32).toString('base64url')}`,
    KEYSERVER_STORAGE_KEYS: `web1:${randomBytes(32).toString('base64url')}`,
    CORS_ORIGINS: `${urls.web},http://localhost:${webPort},${urls.idleWeb}`,
  };
  const children: ChildProcess[] = [];
  const start = async (script: string, env: Record<string, string | undefined>, readyUrl: string) => {
    const child = spawn(process.execPath, [script], { env: { ...common, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000)));
    await ready(readyUrl, child, () => output);
  };
  const stop = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await start('dist/apps/server/main.mjs', { PORT: String(serverPort) }, `${urls.server}/health/ready`);
    await start(
      'dist/apps/keyserver/main.mjs',
      { PORT: String(keyserverPort), SERVER_URL: urls.server },
      `${urls.keyserver}/health/ready`,
    );
    await start(
      'apps/web/serve.mjs',
      { WEB_PORT: String(webPort), WEB_SERVER_URL: urls.server, WEB_KEYSERVER_URL: urls.keyserver },
      `${urls.web}/config.json`,
    );
    await start(
      'apps/web/serve.mjs',
      {
        WEB_PORT: String(idlePort),
        WEB_SERVER_URL: urls.server,
        WEB_KEYSERVER_URL: urls.keyserver,
        WEB_IDLE_LOCK_MINUTES: '0.05',
      },
      `${urls.idleWeb}/config.json`,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  process.env.KX_WEB_URL = urls.web;
  process.env.KX_SERVER_URL = urls.server;
  process.env.KX_KEYSERVER_URL = urls.keyserver;
  process.env.KX_IDLE_WEB_URL = urls.idleWeb;
  return stop;
}
