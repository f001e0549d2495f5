import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fingerprint, generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, freePort, startServices, type RunningApp } from './support/apps.js';
import { encryptedBlob, getAccessToken, putPrivateKey, putPublicKey } from './support/client.js';
import { type TestUser, uniqueEmail } from './support/users.js';

const run = promisify(execFile);
const CLIENT = 'dist/apps/client/apps/client/src/main.js';

/** The reference client as a user runs it: a separate process, against both services. */
describe('the reference client (apps/client)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  const home = mkdtempSync(join(tmpdir(), 'kx-client-'));
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    execFileSync('npx', ['nest', 'build', 'client'], { stdio: 'ignore' });
    ({ server, keyserver } = await startServices());
  }, 180_000);
  afterAll(() => closeAll(keyserver, server));

  async function client(args: string[], env: Record<string, string> = {}) {
    const result = await run(process.execPath, [CLIENT, ...args], {
      env: { ...process.env, KX_HOME: home, KX_SERVER_URL: server.url, KX_KEYSERVER_URL: keyserver.url, KX_PASSWORD: password, ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    return result;
  }

  it('walks register, create-keypair, logout, login, unlock, public-key', async () => {
    const email = uniqueEmail('cli');
    const registered = await client(['register', '--email', email]);
    expect(registered).toMatchObject({ code: 0, stdout: expect.stringContaining('Registered') });

    const loggedIn = await client(['login', '--email', email]);
    expect(loggedIn.stdout).toContain('no key pair yet');
    const sessionFile = join(home, 'session.json');
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);

    const created = await client(['create-keypair']);
    expect(created.code).toBe(0);
    for (const step of ['Create an X25519 key pair', 'Encrypt the private key', 'Store the public key', 'Store the encrypted private key', 'session challenge']) {
      expect(created.stdout).toContain(step);
    }
    expect(created.stdout).toMatch(/Encrypt the private key \(Argon2id, 64 MiB, 3 passes\) \(\d+ ms\)/);
    const fingerprint = /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1];
    expect(fingerprint).toBeDefined();

    expect(await client(['logout'])).toMatchObject({ code: 0 });
    expect(await client(['status'])).toMatchObject({ code: 3 });
    expect((await client(['login', '--email', email])).stdout).toContain('Next: unlock');
    expect((await client(['status'])).stdout).toContain('not secured');

    const unlocked = await client(['unlock']);
    expect(unlocked).toMatchObject({ code: 0, stdout: expect.stringContaining(`Fingerprint: ${fingerprint}`) });
    expect((await client(['status'])).stdout).toMatch(/Key pair: confirmed[\s\S]*Session: secured/);

    const { userId } = JSON.parse(readFileSync(sessionFile, 'utf8')) as { userId: string };
    const key = await client(['public-key', '--user', userId]);
    expect(key).toMatchObject({ code: 0, stdout: expect.stringContaining(`Fingerprint: ${fingerprint}`) });
    // What the client keeps: a session, never a key or a password.
    expect(Object.keys(JSON.parse(readFileSync(sessionFile, 'utf8'))).sort()).toEqual(['email', 'expiresAt', 'sessionToken', 'userId']);
    expect(readFileSync(sessionFile, 'utf8')).not.toContain(password);
  });

  /** Registers and logs in through the client; returns the session it stored, as a TestUser. */
  async function signedIn(prefix: string): Promise<TestUser> {
    const email = uniqueEmail(prefix);
    await client(['register', '--email', email]);
    await client(['login', '--email', email]);
    const session = JSON.parse(readFileSync(join(home, 'session.json'), 'utf8')) as { userId: string; sessionToken: string };
    return { email, password, ...session };
  }

  it('resumes create-keypair broken after putPublicKey: the pending key is replaced', async () => {
    const user = await signedIn('broken-1');
    const abandoned = await generateKeyPair();
    await putPublicKey(server, user, abandoned.publicKey).expect(200);

    const resumed = await client(['create-keypair']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('Create an X25519 key pair');
    expect(resumed.stdout).not.toContain(await fingerprint(abandoned.publicKey));
  });

  it('resumes create-keypair broken after putPrivateKey: the stored key is reused', async () => {
    const user = await signedIn('broken-2');
    const earlier = await generateKeyPair();
    await putPublicKey(server, user, earlier.publicKey).expect(200);
    const stored = await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), await encryptedBlob(user, earlier));
    expect(stored.status).toBe(201);

    const resumed = await client(['create-keypair']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('from an earlier attempt; using it');
    expect(resumed.stdout).not.toContain('Create an X25519 key pair');
    expect(resumed.stdout).toContain(`Fingerprint: ${await fingerprint(earlier.publicKey)}`);
    expect(await client(['create-keypair'])).toMatchObject({ code: 5, stderr: expect.stringContaining('already has a confirmed key pair') });
  });

  it('reads the password from standard input when it is not a terminal', async () => {
    const email = uniqueEmail('stdin');
    const child = execFile(process.execPath, [CLIENT, 'register', '--email', email], {
      env: { ...process.env, KX_HOME: home, KX_SERVER_URL: server.url, KX_PASSWORD: '' },
    });
    child.stdin?.end('typed through a pipe\n');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(await client(['login', '--email', email], { KX_PASSWORD: 'typed through a pipe' })).toMatchObject({ code: 0 });
  });

  it('says what went wrong, with distinct exit codes', async () => {
    const email = uniqueEmail('errors');
    await client(['register', '--email', email]);
    expect(await client(['register', '--email', email])).toMatchObject({ code: 5, stderr: expect.stringContaining('already exists') });
    expect(await client(['login', '--email', email], { KX_PASSWORD: 'not the password' })).toMatchObject({
      code: 4,
      stderr: 'Wrong email or password.\n',
    });
    await client(['login', '--email', email]);
    await client(['create-keypair']);
    await client(['login', '--email', email]);
    expect(await client(['unlock'], { KX_PASSWORD: 'not the password' })).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('Wrong password'),
    });
    const down = `http://127.0.0.1:${await freePort()}`;
    expect(await client(['status'], { KX_SERVER_URL: down })).toMatchObject({ code: 6, stderr: expect.stringContaining('Cannot reach') });
    expect(await client(['fly'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command') });
    expect(await client(['public-key'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--user') });
  });
});
