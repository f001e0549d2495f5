import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startServices, type RunningApp } from './support/apps.js';
import { uniqueEmail } from './support/users.js';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(repository, 'node_modules/typescript/bin/tsc');

/** What `npm pack --json` says about the tarball it wrote. */
interface Packed {
  name: string;
  version: string;
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * `libs/api-client` as another app meets it: built with its own tsconfig,
 * packed with `npm pack`, installed from the tarball into a project of its
 * own, imported by its package name, and run against both services.
 */
describe('the api client as an installed package', () => {
  let server: RunningApp | undefined;
  let keyserver: RunningApp | undefined;
  let folder: string;
  let consumer: string;
  let packed: Packed;

  /** The package folder, copied (the shared working tree's dist/ is not ours to write), built, then packed. */
  async function pack(): Promise<Packed> {
    const pkg = join(folder, 'package');
    // Sources and tests come along, so the tarball's contents are what `files` lets through.
    cpSync(join(repository, 'libs/api-client'), pkg, {
      recursive: true,
      filter: (source) => !/[\\/](dist|node_modules)$/.test(source),
    });
    await run(process.execPath, [tsc, '-p', join(pkg, 'tsconfig.build.json')], { cwd: pkg });
    const { stdout } = await run(
      'npm',
      ['pack', pkg, '--pack-destination', folder, '--json', '--ignore-scripts', '--cache', join(folder, 'npm-cache')],
      { cwd: folder },
    );
    return (JSON.parse(stdout) as Packed[])[0];
  }

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'kx-api-client-package-'));
    let services: Awaited<ReturnType<typeof startServices>>;
    [services, packed] = await Promise.all([startServices(), pack()]);
    ({ server, keyserver } = services);

    consumer = join(folder, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // No dependencies to fetch, so no network: the tarball is all there is.
    await run(
      'npm',
      [
        'install',
        join(folder, packed.filename),
        '--offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--cache',
        join(folder, 'npm-cache'),
      ],
      { cwd: consumer },
    );
  }, 120_000);

  afterAll(async () => {
    await closeAll(keyserver, server);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('packs only the build, the README and its manifest', () => {
    expect(packed).toMatchObject({ name: '@keyexchange/api-client', version: '0.1.0' });
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/generated/server/ServerClient.js']),
    );
    // No sources, tests or tsconfig: outside dist/ only what npm always ships.
    expect(paths.filter((path) => !path.startsWith('dist/')).sort()).toEqual(['README.md', 'package.json']);
    expect(paths.filter((path) => !/\.(js|d\.ts)$/.test(path) && path.startsWith('dist/'))).toEqual([]);
  });

  it('installs with no dependencies, at the root project’s version', () => {
    const installed = JSON.parse(
      readFileSync(join(consumer, 'node_modules/@keyexchange/api-client/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    const root = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(root.version);
    expect(installed.dependencies).toBeUndefined();
  });

  it('runs against both services when imported by its package name', async () => {
    writeFileSync(
      join(consumer, 'consumer.mjs'),
      `import { randomBytes } from 'node:crypto';
import { KeyserverClient, ServerClient, isApiError } from '@keyexchange/api-client';

const [serverUrl, keyserverUrl, email] = process.argv.slice(2);
// Stands in for the login secret a real client derives from the password.
const password = randomBytes(32).toString('base64url');
const anonymous = new ServerClient({ BASE: serverUrl });
const { userId } = await anonymous.auth.register({ requestBody: { email, password } });
const { sessionToken } = await anonymous.auth.login({ requestBody: { email, password } });
const server = new ServerClient({ BASE: serverUrl, TOKEN: sessionToken });
const user = await server.auth.getCurrentUser();
const keyserver = new KeyserverClient({
  BASE: keyserverUrl,
  TOKEN: async () => (await server.accessTokens.getAccessToken()).accessToken,
});
const missing = await keyserver.keys.getEncryptedPrivateKey({ userId }).then(() => undefined, (error) => error);
console.log(JSON.stringify({
  resolved: import.meta.resolve('@keyexchange/api-client'),
  userId,
  user,
  missing: { isApiError: isApiError(missing), status: missing?.status, body: missing?.body },
}));
`,
    );
    const email = uniqueEmail('package');
    const { stdout } = await run(process.execPath, ['consumer.mjs', server!.url, keyserver!.url, email], {
      cwd: consumer,
    });
    const result = JSON.parse(stdout) as {
      resolved: string;
      userId: string;
      user: Record<string, unknown>;
      missing: { isApiError: boolean; status: number; body: Record<string, unknown> };
    };
    // The installed copy, not the repository's sources.
    expect(fileURLToPath(result.resolved)).toBe(join(consumer, 'node_modules/@keyexchange/api-client/dist/index.js'));
    expect(result.user).toMatchObject({ userId: result.userId, email, hasKeyPair: false });
    // A 404 (not a 403) means the keyserver took the access token the server minted, then found no key.
    expect(result.missing).toEqual({
      isApiError: true,
      status: 404,
      body: expect.objectContaining({ statusCode: 404, error: 'Not Found' }) as unknown,
    });
  });

  it('gives a TypeScript consumer its types', async () => {
    writeFileSync(
      join(consumer, 'consumer.ts'),
      `import { ServerClient, type ServerApi } from '@keyexchange/api-client';

const credentials: ServerApi.Credentials = { email: 'alice@example.com', password: 'secret' };
const client = new ServerClient({ BASE: 'http://127.0.0.1:3000' });
export const login: Promise<ServerApi.LoginResponse> = client.auth.login({ requestBody: credentials });
// @ts-expect-error a wrong call fails to compile (were the types \`any\`, this line would be the error)
export const wrong = client.auth.login({ requestBody: { email: 42 } });
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          // The package's declarations are checked too; TypeScript's own are not (half the time, no news).
          skipLibCheck: false,
          skipDefaultLibCheck: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const compiled = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer }).then(
      () => 'ok',
      (error: Error & { stdout?: string }) => error.stdout || error.message,
    );
    expect(compiled).toBe('ok');
  });
});
