import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/apps.js';

/** apps/web/serve.mjs, the web app's server, as a process on a folder standing in for the build. */
const root = mkdtempSync(join(tmpdir(), 'kx-web-root-'));
mkdirSync(join(root, 'assets'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>keyexchange</title>');
writeFileSync(join(root, 'assets', 'app-abc123.js'), 'export {};');
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['apps/web/serve.mjs'], {
    env: { PATH: process.env.PATH, WEB_ROOT: root, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

describe('the web app server: configuration', () => {
  it.each([
    ['WEB_SERVER_URL', 'ftp://server.example.com'],
    ['WEB_SERVER_URL', 'not a url'],
    ['WEB_KEYSERVER_URL', 'https://keyserver.example.com/?x=1'],
    ['WEB_KEYSERVER_URL', 'https://user:pw@keyserver.example.com'],
    ['WEB_PORT', '0'],
    ['WEB_PORT', '3002.5'],
    ['WEB_IDLE_LOCK_MINUTES', '0'],
    ['WEB_IDLE_LOCK_MINUTES', '1441'],
    ['WEB_IDLE_LOCK_MINUTES', 'soon'],
  ])('refuses %s=%s at start, naming it', async (name, value) => {
    const started = run({ WEB_PORT: String(await freePort()), [name]: value });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain(`- ${name} must be`);
  });

  it('refuses to start on a folder with no built app', async () => {
    const started = run({ WEB_PORT: String(await freePort()), WEB_ROOT: join(root, 'assets') });
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('holds no index.html: build the app first');
  });
});

describe('the web app server: what it serves', () => {
  let url: string;
  let server: ReturnType<typeof run>;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = run({
      WEB_PORT: String(port),
      WEB_SERVER_URL: 'https://api.example.com/',
      // Behind a path prefix: the policy must name the path as a prefix (a trailing /), or it matches only itself.
      WEB_KEYSERVER_URL: 'https://keys.example.com/keyexchange',
      WEB_IDLE_LOCK_MINUTES: '5',
    });
    for (let i = 0; i < 200 && !(await fetch(url).catch(() => undefined)); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('answers config.json, and config.js with the same values for the page', async () => {
    const json = await fetch(`${url}/config.json`);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('cache-control')).toBe('no-store');
    const config = {
      serverUrl: 'https://api.example.com',
      keyserverUrl: 'https://keys.example.com/keyexchange',
      idleLockMinutes: 5,
    };
    expect(await json.json()).toEqual(config);
    const script = await fetch(`${url}/config.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe(`export default ${JSON.stringify(config)};\n`);
  });

  it('sends the policy, naming the configured services, on every answer, a 404 included', async () => {
    for (const [path, status] of [
      ['/', 200],
      ['/assets/app-abc123.js', 200],
      ['/config.json', 200],
      ['/nothing-here', 404],
      ['/../package.json', 404],
    ] as const) {
      const response = await fetch(`${url}${path}`);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-security-policy'), path).toBe(
        "default-src 'none';script-src 'self' 'wasm-unsafe-eval';worker-src 'self';" +
          'connect-src https://api.example.com https://keys.example.com/keyexchange/;' +
          "style-src 'self';img-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none';object-src 'none'",
      );
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('lets browsers keep hashed assets for good and always revalidate the page', async () => {
    expect((await fetch(`${url}/assets/app-abc123.js`)).headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await fetch(`${url}/`)).headers.get('cache-control')).toBe('no-cache');
  });
});
