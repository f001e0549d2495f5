import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { deriveLoginSecret, fingerprint, generateKeyPair } from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuild } from './support/build.js';
import { runClient } from './support/reference-client.js';
import { closeAll, freePort, startKeyserver, startServer, startServices, type RunningApp } from './support/apps.js';
import {
  createKeyPair,
  DEFAULT_KDF_PARAMS,
  encryptedBlob,
  FAST_KDF,
  getAccessToken,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, type TestUser, uniqueEmail } from './support/users.js';
import { stringContaining, stringMatching } from './support/matchers.js';

/** What a test creates outside the services: removed in afterAll, also when a test failed. */
const folders: string[] = [];
const listeners: Server[] = [];
function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

async function listen(server: Server): Promise<string> {
  listeners.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stand-in service that answers every request with `answer`, and records what it was asked. */
async function fakeService(answer: (response: ServerResponse) => void): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const url = await listen(
    createHttpServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      answer(response);
    }),
  );
  return { url, requests };
}

interface Exchange {
  method: string;
  url: string;
  body: string;
}

/**
 * A pass-through to a real service, where a test acts between the client's
 * requests (as a concurrent client would) or alters an answer.
 */
async function proxy(
  target: string,
  hooks: {
    before?: (request: Exchange) => Promise<void>;
    after?: (request: Exchange, answer: string) => string | void | Promise<string | void>;
  },
): Promise<{ url: string; requests: Exchange[] }> {
  const requests: Exchange[] = [];
  const relay = async (incoming: IncomingMessage, response: ServerResponse) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const request = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(request);
      await hooks.before?.(request);
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type'])
        if (incoming.headers[name]) headers[name] = String(incoming.headers[name]);
      const answer = await fetch(`${target}${request.url}`, {
        method: request.method,
        headers,
        body: request.body || undefined,
      });
      const text = await answer.text();
      const body = (await hooks.after?.(request, text)) ?? text;
      response
        .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
        .end(body);
    } catch (error) {
      // Shows in the client's output, so a broken arrangement is visible in the failure.
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: `test proxy: ${String(error)}` }));
    }
  };
  // relay answers every failure itself: there is nothing left for the server to handle.
  const url = await listen(createHttpServer((incoming, response) => void relay(incoming, response)));
  return { url, requests };
}

/**
 * The reference client as a user runs it: a separate process, against both
 * services. Each create-keypair runs Argon2id (64 MiB) three times in its own
 * process, so tests get more time than the default on a busy machine.
 */
describe('the reference client (apps/client)', { timeout: 180_000 }, () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let main: string;
  let home: string;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    home = tempFolder('kx-client-');
    main = await sharedBuild('client');
    ({ server, keyserver } = await startServices());
  }, 180_000);
  afterAll(async () => {
    for (const listener of listeners) {
      listener.closeAllConnections?.();
      listener.close();
    }
    await closeAll(keyserver, server);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true }); // a link inside is removed, never followed
  });

  function client(args: string[], env: Record<string, string> = {}) {
    return runClient(main, args, {
      KX_HOME: home,
      KX_SERVER_URL: server.url,
      KX_KEYSERVER_URL: keyserver.url,
      KX_PASSWORD: password,
      ...env,
    });
  }

  /** The session the client stored in `folder`, as a TestUser. */
  function storedUser(email: string, folder = home): TestUser {
    const session = JSON.parse(readFileSync(join(folder, 'session.json'), 'utf8')) as {
      userId: string;
      sessionToken: string;
    };
    return { email, password, userId: session.userId, sessionToken: session.sessionToken };
  }

  /** Registers and logs in through the client; returns the session it stored, as a TestUser. */
  async function signedIn(prefix: string, folder = home): Promise<TestUser> {
    const email = uniqueEmail(prefix);
    expect(await client(['register', '--email', email], { KX_HOME: folder })).toMatchObject({ code: 0 });
    expect(await client(['login', '--email', email], { KX_HOME: folder })).toMatchObject({ code: 0 });
    return storedUser(email, folder);
  }

  /** The encrypted private key the keyserver holds for the user (status 404 when none). */
  async function storedBlob(user: TestUser) {
    return keyserver
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(await getAccessToken(server, user)));
  }

  /** Logs in again and unlocks: the account's key works with the password. */
  async function expectUnlocks(user: TestUser, keyFingerprint: string) {
    expect(await client(['login', '--email', user.email])).toMatchObject({ code: 0 });
    expect(await client(['unlock'])).toMatchObject({
      code: 0,
      stdout: stringContaining(`Fingerprint: ${keyFingerprint}`),
    });
  }

  it('walks register, create-keypair, logout, login, unlock, public-key', async () => {
    const email = uniqueEmail('cli');
    const registered = await client(['register', '--email', email]);
    expect(registered).toMatchObject({ code: 0, stdout: stringContaining('Registered') });

    const loggedIn = await client(['login', '--email', email]);
    expect(loggedIn.stdout).toContain('no key pair yet');
    const sessionFile = join(home, 'session.json');
    expect(statSync(sessionFile).mode & 0o777).toBe(0o600);

    const created = await client(['create-keypair']);
    expect(created.code).toBe(0);
    for (const step of [
      'Check the password with a fresh login',
      'Create an X25519 key pair',
      'Encrypt the private key',
      'Store the public key',
      'Store the encrypted private key',
      'Check that the keyserver holds this key',
      'session challenge',
    ]) {
      expect(created.stdout).toContain(step);
    }
    expect(created.stdout).toMatch(/Encrypt the private key \(Argon2id, 64 MiB, 3 passes\) \(\d+ ms\)/);
    expect(created.stdout).not.toContain('storing this one again');
    const fingerprint = /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1];
    expect(fingerprint).toBeDefined();

    expect(await client(['logout'])).toMatchObject({ code: 0 });
    expect(await client(['status'])).toMatchObject({ code: 3 });
    expect((await client(['login', '--email', email])).stdout).toContain('Next: unlock');
    expect((await client(['status'])).stdout).toContain('not secured');

    const unlocked = await client(['unlock']);
    expect(unlocked).toMatchObject({ code: 0, stdout: stringContaining(`Fingerprint: ${fingerprint}`) });
    expect((await client(['status'])).stdout).toMatch(/Key pair: confirmed[\s\S]*Session: secured/);

    const { userId } = JSON.parse(readFileSync(sessionFile, 'utf8')) as { userId: string };
    const key = await client(['public-key', '--user', userId]);
    expect(key).toMatchObject({ code: 0, stdout: stringContaining(`Fingerprint: ${fingerprint}`) });
    expect(await client(['public-key', '--user', userId.toUpperCase()])).toMatchObject({ code: 0 });
    // What the client keeps: a session (and the login's KDF recommendation), never a key or a password.
    expect(Object.keys(JSON.parse(readFileSync(sessionFile, 'utf8')) as object).sort()).toEqual([
      'email',
      'expiresAt',
      'kdfRecommended',
      'sessionToken',
      'userId',
    ]);
    expect(readFileSync(sessionFile, 'utf8')).not.toContain(password);
  });

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
    const blob = {
      ...(await encryptedBlob(user, earlier)),
      publicKeyFingerprint: await fingerprint(earlier.publicKey),
    };
    expect((await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), blob)).status).toBe(201);

    const resumed = await client(['create-keypair']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('from an earlier attempt; using it');
    expect(resumed.stdout).not.toContain('Create an X25519 key pair');
    expect(resumed.stdout).toContain(`Fingerprint: ${await fingerprint(earlier.publicKey)}`);
    expect(await client(['create-keypair'])).toMatchObject({
      code: 5,
      stderr: stringContaining('already has a confirmed key pair'),
    });
  });

  for (const [prefix, plant, reason] of [
    ['mismatch', 'another key', 'it is not the key it names'],
    ['other-password', 'another password', 'it does not decrypt with this password'],
  ] as const) {
    it(`replaces, never reuses, a stored key wrapped with ${plant}`, async () => {
      const user = await signedIn(prefix);
      const named = await generateKeyPair();
      await putPublicKey(server, user, named.publicKey).expect(200);
      const inside = plant === 'another key' ? await generateKeyPair() : named;
      const wrappedFor = plant === 'another password' ? { ...user, password: 'somebody else entirely' } : user;
      const blob = {
        ...(await encryptedBlob(wrappedFor, inside)),
        publicKeyFingerprint: await fingerprint(named.publicKey),
      };
      expect((await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), blob)).status).toBe(201);

      const created = await client(['create-keypair']);
      expect(created).toMatchObject({ code: 0, stdout: stringContaining(`(${reason}); it will be replaced`) });
      expect(created.stdout).toContain('Create an X25519 key pair');
      await expectUnlocks(user, /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1] as string);
    });
  }

  it('refuses a mistyped password at create-keypair, storing nothing', async () => {
    const user = await signedIn('mistyped');
    const refused = await client(['create-keypair'], { KX_PASSWORD: 'correct horse battery stapel' });
    expect(refused).toMatchObject({ code: 4, stderr: stringContaining('not your account password') });
    expect(refused.stdout).not.toContain('Store the');
    expect((await storedBlob(user)).status).toBe(404);
    // No public key either: the server has nothing to seal a challenge to.
    await server.http().post('/api/user/session-challenge').set(bearer(user.sessionToken)).expect(409);
    expect((await client(['status'])).stdout).toContain('Key pair: none yet');

    const created = await client(['create-keypair']);
    expect(created.code).toBe(0);
    await expectUnlocks(user, /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1] as string);
  });

  it('asks twice for the password at a terminal and refuses two that differ', async () => {
    const user = await signedIn('typed-twice');
    // `script` gives the client a terminal; what we write is what a person would type.
    const typed = (lines: string) =>
      new Promise<{ code: number | null; output: string }>((resolve) => {
        const command = [process.execPath, main, 'create-keypair'].map((word) => `'${word}'`).join(' ');
        const child = execFile('script', ['-qec', command, '/dev/null'], {
          timeout: 120_000,
          env: {
            ...process.env,
            KX_HOME: home,
            KX_SERVER_URL: server.url,
            KX_KEYSERVER_URL: keyserver.url,
            KX_PASSWORD: '',
          },
        });
        const answers = [
          { prompt: 'Password: ', line: lines.split('\n')[0], typed: false },
          { prompt: 'Repeat the password: ', line: lines.split('\n')[1], typed: false },
        ];
        let output = '';
        child.stdout?.on('data', (chunk: string) => {
          output += chunk;
          // Type each line once its prompt is up.
          for (const answer of answers) {
            if (!answer.typed && output.includes(answer.prompt)) {
              answer.typed = true;
              child.stdin?.write(`${answer.line}\r`);
            }
          }
        });
        child.on('exit', (code) => resolve({ code, output }));
      });
    const differ = await typed(`${password}\n${password}!`);
    expect(differ).toMatchObject({ code: 2, output: stringContaining('The two passwords differ') });
    expect((await storedBlob(user)).status).toBe(404);
    const same = await typed(`${password}\n${password}`);
    expect(same).toMatchObject({ code: 0, output: stringContaining('Key pair created') });
  });

  it('keeps its key when another writer tries to store a blob under its key’s name before it confirms', async () => {
    const user = await signedIn('replaced-blob');
    const plantings: number[] = [];
    // Another writer (a concurrent run, a stolen session) stores a blob under our key's fingerprint right after ours.
    const racing = await proxy(keyserver.url, {
      after: async (request) => {
        if (request.method !== 'POST' || plantings.length > 0) return;
        const ours = (JSON.parse(request.body) as { publicKeyFingerprint: string }).publicKeyFingerprint;
        const theirs = { ...(await encryptedBlob(user, await generateKeyPair())), publicKeyFingerprint: ours };
        plantings.push(
          (await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), theirs)).status,
        );
      },
    });
    const created = await client(['create-keypair'], { KX_KEYSERVER_URL: racing.url });
    // The first blob stored for a key is final: the keyserver refused theirs, and the check found ours.
    expect(plantings).toEqual([409]);
    expect(created).toMatchObject({ code: 0 });
    expect(created.stdout).not.toContain('storing this one again');
    await expectUnlocks(user, /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1] as string);
  });

  it('repairs, from its now secured session, a blob of another key that lands after the confirmation', async () => {
    const user = await signedIn('late-write');
    // The outcome of a stale write landing just after the challenge was answered (its validation raced the
    // confirmation): arranged in the keyserver's database, the one step that cannot be timed through the API.
    const late = await proxy(server.url, {
      after: async (request) => {
        if (request.method !== 'POST' || request.url !== '/api/user/session-challenge/answer') return;
        const other = await generateKeyPair();
        const theirs = await encryptedBlob(user, other);
        await keyserver.app
          .get(DataSource)
          // Written in the form rows from before sealing have, which the keyserver serves as they are.
          .query(
            `UPDATE encrypted_private_keys SET storage_key_id = NULL, sealed_blob = NULL, encrypted_private_key = $2, iv = $3,
               salt = $4, public_key_fingerprint = $5 WHERE user_id = $1`,
            [
              user.userId,
              ...(['encryptedPrivateKey', 'iv', 'salt'] as const).map((field) =>
                Buffer.from(theirs[field], 'base64url'),
              ),
              theirs.publicKeyFingerprint,
            ],
          );
      },
    });
    const created = await client(['create-keypair'], { KX_SERVER_URL: late.url });
    expect(created).toMatchObject({
      code: 0,
      stdout: stringContaining('repairing it from this secured session'),
    });
    await expectUnlocks(user, /Fingerprint: ([0-9a-f]{64})/.exec(created.stdout)?.[1] as string);
  });

  it('says so when the challenge is sealed to another key than its own, never "wrong password"', async () => {
    const user = await signedIn('replaced-key');
    // Another create-keypair puts its public key between our check and our challenge.
    const racing = await proxy(server.url, {
      before: async (request) => {
        if (request.method === 'POST' && request.url === '/api/user/session-challenge') {
          await putPublicKey(server, user, (await generateKeyPair()).publicKey).expect(200);
        }
      },
    });
    const created = await client(['create-keypair'], { KX_SERVER_URL: racing.url });
    expect(created).toMatchObject({
      code: 7,
      stderr: stringContaining("The server's challenge does not open with your private key"),
    });
    expect(created.stderr).toContain('another create-keypair for this account is running or ran since');
    expect(created.stderr).not.toMatch(/wrong password/i);
  });

  it('unlock: a stored key that is not the confirmed one is a key mismatch, never "wrong password"', async () => {
    const user = await signedIn('locked-out');
    // The state the interleaved setup left accounts in: key K confirmed, another key stored under K's name.
    const confirmed = await generateKeyPair();
    await putPublicKey(server, user, confirmed.publicKey).expect(200);
    const blob = {
      ...(await encryptedBlob(user, await generateKeyPair())),
      publicKeyFingerprint: await fingerprint(confirmed.publicKey),
    };
    expect((await putPrivateKey(keyserver, user.userId, await getAccessToken(server, user), blob)).status).toBe(201);
    await passSessionChallenge(server, user.sessionToken, confirmed);

    const unlocked = await client(['unlock']);
    expect(unlocked).toMatchObject({
      code: 8,
      stderr: stringContaining('The stored private key does not belong to your public key'),
    });
    expect(unlocked.stderr).not.toMatch(/wrong password/i);
  });

  it('unlock: compares the key it fetched with the server word, before answering any challenge', async () => {
    const user = await signedIn('server-word');
    await createKeyPair(server, keyserver, user);
    // A keyserver (or anyone between) answering another account's blob under another key's name.
    const other = await generateKeyPair();
    const lying = await proxy(keyserver.url, {
      after: async (request, answer) => {
        if (request.method !== 'GET') return;
        const blob = {
          ...(await encryptedBlob(user, other)),
          publicKeyFingerprint: await fingerprint(other.publicKey),
        };
        return JSON.stringify({ ...(JSON.parse(answer) as object), ...blob });
      },
    });
    const challenges = await proxy(server.url, {});
    const unlocked = await client(['unlock'], { KX_KEYSERVER_URL: lying.url, KX_SERVER_URL: challenges.url });
    expect(unlocked).toMatchObject({ code: 8, stderr: stringContaining('does not belong to your public key') });
    expect(challenges.requests.map((request) => request.url)).not.toContain('/api/user/session-challenge');
  });

  it('unlock: a stored key whose KDF parameters no client should compute is refused before any work', async () => {
    const user = await signedIn('kdf-bomb');
    await createKeyPair(server, keyserver, user);
    const bomb = await proxy(keyserver.url, {
      after: (request, answer) => {
        if (request.method !== 'GET') return;
        const blob = JSON.parse(answer) as { kdf: object };
        return JSON.stringify({ ...blob, kdf: { ...blob.kdf, memoryKiB: 4 * 1024 * 1024, iterations: 100 } });
      },
    });
    const unlocked = await client(['unlock'], { KX_KEYSERVER_URL: bomb.url });
    expect(unlocked).toMatchObject({ code: 9, stderr: stringContaining('4194304 KiB, 100 passes') });
    expect(unlocked.stderr).toContain('exceed what this client will compute');
    expect(unlocked.stderr).not.toMatch(/wrong password/i);
  });

  it('reads the password from standard input when it is not a terminal', async () => {
    const email = uniqueEmail('stdin');
    const child = execFile(process.execPath, [main, 'register', '--email', email], {
      env: { ...process.env, KX_HOME: home, KX_SERVER_URL: server.url, KX_PASSWORD: '' },
    });
    child.stdin?.end('typed through a pipe\n');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(await client(['login', '--email', email], { KX_PASSWORD: 'typed through a pipe' })).toMatchObject({
      code: 0,
    });
  });

  it('says what went wrong, with distinct exit codes', async () => {
    const email = uniqueEmail('errors');
    await client(['register', '--email', email]);
    expect(await client(['register', '--email', email])).toMatchObject({
      code: 5,
      stderr: stringContaining('already exists'),
    });
    expect(await client(['login', '--email', email], { KX_PASSWORD: 'not the password' })).toMatchObject({
      code: 4,
      stderr: 'Wrong email or password.\n',
    });
    await client(['login', '--email', email]);
    await client(['create-keypair']);
    await client(['login', '--email', email]);
    expect(await client(['unlock'], { KX_PASSWORD: 'not the password' })).toMatchObject({
      code: 4,
      stderr: stringContaining('Wrong password'),
    });
    const down = `http://127.0.0.1:${await freePort()}`;
    expect(await client(['status'], { KX_SERVER_URL: down })).toMatchObject({
      code: 6,
      stderr: stringContaining('Cannot reach'),
    });
    expect(await client(['fly'])).toMatchObject({ code: 2, stderr: stringContaining('Unknown command') });
    expect(await client(['public-key'])).toMatchObject({ code: 2, stderr: stringContaining('--user') });
    expect(await client(['status'], { KX_TIMEOUT_MS: 'soon' })).toMatchObject({
      code: 2,
      stderr: stringContaining('KX_TIMEOUT_MS'),
    });
  });

  /** The device tokens the client keeps in `folder`, by email. */
  function storedDeviceTokens(folder: string): Record<string, string> {
    return JSON.parse(readFileSync(join(folder, 'device-tokens.json'), 'utf8')) as Record<string, string>;
  }

  it('keeps its device token past logout, so a stranger’s wrong guesses at the email do not lock it out', async () => {
    // One failed login per email and address an hour: a stranger on this address locks the email out of it.
    const strict = await startServer({ RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '1/1h' });
    let strictKeyserver: RunningApp | undefined;
    try {
      strictKeyserver = await startKeyserver(strict.url);
      const folder = tempFolder('kx-client-');
      const email = uniqueEmail('Device');
      const onStrict = { KX_HOME: folder, KX_SERVER_URL: strict.url, KX_KEYSERVER_URL: strictKeyserver.url };
      expect(await client(['register', '--email', email], onStrict)).toMatchObject({ code: 0 });
      expect(await client(['login', '--email', email], onStrict)).toMatchObject({ code: 0 });
      const devicesFile = join(folder, 'device-tokens.json');
      expect(statSync(devicesFile).mode & 0o777).toBe(0o600);
      const first = storedDeviceTokens(folder)[email.toLowerCase()];
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await client(['logout'], onStrict)).toMatchObject({ code: 0 });
      expect(existsSync(join(folder, 'session.json'))).toBe(false);
      expect(storedDeviceTokens(folder)).toEqual({ [email.toLowerCase()]: first });

      const stranger = await strict
        .http()
        .post('/api/auth/login')
        .send({ email, password: randomBytes(32).toString('base64url') });
      expect(stranger.status).toBe(401);
      const secret = await deriveLoginSecret(email, password);
      const locked = await strict.http().post('/api/auth/login').send({ email, password: secret });
      expect(locked.status).toBe(429);

      // The same password from this address, with the device token: in, and the token replaced.
      expect(await client(['login', '--email', email], onStrict)).toMatchObject({ code: 0 });
      const second = storedDeviceTokens(folder)[email.toLowerCase()];
      expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(second).not.toBe(first);
      expect(statSync(devicesFile).mode & 0o777).toBe(0o600);
      // create-keypair's password check logs in with it too, and keeps the token it answers.
      expect(await client(['create-keypair'], onStrict)).toMatchObject({ code: 0 });
      expect(storedDeviceTokens(folder)[email.toLowerCase()]).not.toBe(second);

      // Without a device token the email stays locked on this address: for a client that never logged in here...
      const elsewhere = await client(['login', '--email', email], { ...onStrict, KX_HOME: tempFolder('kx-client-') });
      expect(elsewhere).toMatchObject({
        code: 10,
        stderr: stringMatching(/^Too many attempts: try again in (59|60) minutes\.\n$/),
      });
      // ...and for the API called without one.
      expect((await strict.http().post('/api/auth/login').send({ email, password: secret })).status).toBe(429);
    } finally {
      await closeAll(strictKeyserver, strict);
    }
  });

  it('says how long to wait when a service refuses too many attempts, and exits 10', async () => {
    const strict = await startServer({ RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '1/15m' });
    try {
      const folder = tempFolder('kx-client-');
      const email = uniqueEmail('limited');
      const onStrict = { KX_HOME: folder, KX_SERVER_URL: strict.url };
      expect(await client(['register', '--email', email], onStrict)).toMatchObject({ code: 0 });
      expect(await client(['login', '--email', email], { ...onStrict, KX_PASSWORD: 'not the password' })).toMatchObject(
        { code: 4 },
      );
      const limited = await client(['login', '--email', email], onStrict);
      expect(limited).toMatchObject({ code: 10, stderr: 'Too many attempts: try again in 15 minutes.\n' });
      expect(existsSync(join(folder, 'session.json'))).toBe(false);
      expect((await client(['--help'])).stdout).toContain('10 too many attempts');
    } finally {
      await strict.close();
    }
  });

  it('says how long to wait on any answer with Retry-After: a 429 from any command, a 503', async () => {
    const folder = tempFolder('kx-client-');
    // A session of our own making: `status` sends it, and the stand-in answers whatever it is.
    const session = {
      email: 'who@example.com',
      userId: randomUUID(),
      sessionToken: randomBytes(32).toString('base64url'),
      expiresAt: '2099-01-01',
    };
    writeFileSync(join(folder, 'session.json'), JSON.stringify(session), { mode: 0o600 });
    const cases = [
      { status: 429, retryAfter: '30', code: 10, says: 'Too many attempts: try again in 30 seconds.' },
      { status: 429, retryAfter: '60', code: 10, says: 'Too many attempts: try again in 1 minute.' },
      { status: 429, retryAfter: '61', code: 10, says: 'Too many attempts: try again in 2 minutes.' },
      { status: 429, retryAfter: '86400', code: 10, says: 'Too many attempts: try again in 24 hours.' },
      {
        status: 429,
        retryAfter: new Date(Date.now() + 600_000).toUTCString(),
        code: 10,
        says: /^Too many attempts: try again in (10|11) minutes\.$/,
      },
      { status: 429, retryAfter: undefined, code: 10, says: 'Too many attempts: try again later.' },
      { status: 503, retryAfter: '1', code: 6, says: 'Unavailable: busy right now (wait 1 second).' },
      { status: 503, retryAfter: undefined, code: 6, says: 'Unavailable: busy right now' },
    ];
    for (const { status, retryAfter, code, says } of cases) {
      const service = await fakeService((response) =>
        response
          .writeHead(status, {
            'content-type': 'application/json',
            ...(retryAfter ? { 'retry-after': retryAfter } : {}),
          })
          .end(JSON.stringify({ statusCode: status, error: 'Error', message: 'busy right now' })),
      );
      for (const command of [['register', '--email', uniqueEmail('retry')], ['status']]) {
        const result = await client(command, { KX_HOME: folder, KX_SERVER_URL: service.url });
        expect({ command: command[0], code: result.code }).toEqual({ command: command[0], code });
        const line = result.stderr.replace(/\n$/, '');
        if (typeof says === 'string') expect(line).toBe(says);
        else expect(line).toMatch(says);
      }
    }
  });

  it('logs in past a damaged device token file, with a warning, and replaces it; never through a link', async () => {
    const folder = tempFolder('kx-client-');
    const email = uniqueEmail('damaged-devices');
    const devicesFile = join(folder, 'device-tokens.json');
    expect(await client(['register', '--email', email], { KX_HOME: folder })).toMatchObject({ code: 0 });
    for (const damage of ['{"half": "writ', '["a list"]', JSON.stringify({ [email]: 'not a token' })]) {
      writeFileSync(devicesFile, damage, { mode: 0o600 });
      const loggedIn = await client(['login', '--email', email], { KX_HOME: folder });
      expect(loggedIn).toMatchObject({
        code: 0,
        stderr: `Warning: ${devicesFile} is damaged; logging in without a device token (this login replaces the file).\n`,
      });
      expect(Object.keys(storedDeviceTokens(folder))).toEqual([email]);
    }
    // Another email's token is kept beside this one's.
    const other = uniqueEmail('damaged-devices-2');
    expect(await client(['register', '--email', other], { KX_HOME: folder })).toMatchObject({ code: 0 });
    expect(await client(['login', '--email', other], { KX_HOME: folder })).toMatchObject({ code: 0, stderr: '' });
    expect(Object.keys(storedDeviceTokens(folder)).sort()).toEqual([email, other].sort());

    const elsewhere = join(tempFolder('kx-client-'), 'planted.json');
    writeFileSync(elsewhere, readFileSync(devicesFile));
    rmSync(devicesFile);
    symlinkSync(elsewhere, devicesFile);
    const before = readFileSync(elsewhere, 'utf8');
    expect(await client(['login', '--email', email], { KX_HOME: folder })).toMatchObject({
      code: 1,
      stderr: stringContaining('device-tokens.json is a symbolic link'),
    });
    expect(readFileSync(elsewhere, 'utf8')).toBe(before);
  });

  it('checks an id given on the command line before any request', async () => {
    const folder = tempFolder('kx-client-');
    await signedIn('paths', folder);
    const service = await fakeService((response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
    );
    for (const user of [
      '../../user/me',
      '..%2F..%2Fuser%2Fme',
      `${randomUUID()}/../../me`,
      `${randomUUID()}?x=1`,
      ' ',
    ]) {
      const result = await client(['public-key', '--user', user], { KX_HOME: folder, KX_SERVER_URL: service.url });
      expect(result).toMatchObject({ code: 2, stderr: stringContaining('--user must be a user id') });
    }
    expect(service.requests).toEqual([]);
  });

  it('never reads or writes the session through a symbolic link', async () => {
    const folder = tempFolder('kx-client-');
    const user = await signedIn('symlink', folder);
    const elsewhere = join(tempFolder('kx-client-'), 'planted.json');
    writeFileSync(elsewhere, readFileSync(join(folder, 'session.json')));
    rmSync(join(folder, 'session.json'));
    symlinkSync(elsewhere, join(folder, 'session.json'));

    expect(await client(['status'], { KX_HOME: folder })).toMatchObject({
      code: 1,
      stderr: stringContaining('is a symbolic link'),
    });
    const before = readFileSync(elsewhere, 'utf8');
    expect(await client(['login', '--email', user.email], { KX_HOME: folder })).toMatchObject({
      code: 1,
      stderr: stringContaining('is a symbolic link'),
    });
    expect(readFileSync(elsewhere, 'utf8')).toBe(before);
    expect(lstatSync(join(folder, 'session.json')).isSymbolicLink()).toBe(true);
  });

  it('refuses to save a session in a folder that others can open', async () => {
    const folder = tempFolder('kx-client-');
    const email = uniqueEmail('open-folder');
    await client(['register', '--email', email], { KX_HOME: folder });
    chmodSync(folder, 0o755);
    expect(await client(['login', '--email', email], { KX_HOME: folder })).toMatchObject({
      code: 1,
      stderr: stringContaining(`mode 0755`),
    });
    expect((await client(['login', '--email', email], { KX_HOME: folder })).stderr).toContain(`chmod 700 '${folder}'`);
    expect(existsSync(join(folder, 'session.json'))).toBe(false);

    chmodSync(folder, 0o700);
    expect(await client(['login', '--email', email], { KX_HOME: folder })).toMatchObject({ code: 0 });
    chmodSync(folder, 0o750); // checked on every save, not only the first
    expect(await client(['login', '--email', email], { KX_HOME: folder })).toMatchObject({
      code: 1,
      stderr: stringContaining('mode 0750'),
    });
  });

  it('prints what services send without control or other non-printing characters', async () => {
    // The server refuses an email with a bidi override, a line separator or a zero-width space in it.
    const folder = tempFolder('kx-client-');
    const email = `"ctl\u202ex\u2028y\u200b"-${randomUUID()}@example.com`;
    const invisible = await client(['register', '--email', email], { KX_HOME: folder });
    expect(invisible).toMatchObject({
      code: 1,
      stderr: stringContaining('must not contain control or invisible characters'),
    });

    // Terminal escapes in an error message, from a service that sends them.
    const hostile = await fakeService((response) =>
      response.writeHead(400, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          statusCode: 400,
          error: 'Bad Request',
          message: ['\u001b[2J\u001b[31mcleared\u0007', 'C1\u009b31m\u0085here\u202e'],
        }),
      ),
    );
    const refused = await client(['register', '--email', uniqueEmail('ctl')], {
      KX_SERVER_URL: hostile.url,
      KX_HOME: folder,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[2J[31mcleared; C131mhere');
    expect(refused.stderr.replace(/\n$/, '')).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });

  it('gives up on a service that accepts the connection and never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = performance.now();
      const result = await client(['register', '--email', uniqueEmail('silent')], {
        KX_SERVER_URL: url,
        KX_TIMEOUT_MS: '500',
      });
      expect(result).toMatchObject({ code: 6, stderr: stringContaining(`${url} did not answer within 500 ms`) });
      expect(sockets.length).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(20_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  /** The lines `sessions` printed, each with its id and whether it is marked as this client's. */
  function listedSessions(stdout: string): { id: string; current: boolean; line: string }[] {
    return stdout
      .split('\n')
      .filter((line) => /^[ *] [0-9a-f-]{36} {2}/.test(line))
      .map((line) => ({ id: line.slice(2, 38), current: line.startsWith('*'), line }));
  }

  it('lists the sessions, ends one, ends all others; only from a secured session', async () => {
    const folder = tempFolder('kx-client-');
    const other = tempFolder('kx-client-');
    const user = await signedIn('sessions', folder);
    expect(await client(['create-keypair'], { KX_HOME: folder })).toMatchObject({ code: 0 }); // secures this session
    expect(await client(['login', '--email', user.email], { KX_HOME: other })).toMatchObject({ code: 0 });
    const otherToken = storedUser(user.email, other).sessionToken;

    const unsecured = await client(['sessions'], { KX_HOME: other });
    expect(unsecured).toMatchObject({ code: 5, stderr: stringContaining('run `unlock` first') });
    expect(unsecured.stderr.trim().split('\n')).toHaveLength(1);
    expect(await client(['end-other-sessions'], { KX_HOME: other })).toMatchObject({
      code: 5,
      stderr: stringContaining('run `unlock` first'),
    });

    const listed = await client(['sessions'], { KX_HOME: folder });
    expect(listed.code).toBe(0);
    const lines = listedSessions(listed.stdout);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((line) => line.current)).toHaveLength(1);
    expect(lines.find((line) => line.current)?.line).toMatch(/ secured .*\(this session\)$/);
    const [newest] = lines; // the other folder's login came last
    expect(newest).toMatchObject({ current: false, line: stringContaining('not secured') });

    expect(await client(['end-session', 'not-an-id'], { KX_HOME: folder })).toMatchObject({
      code: 2,
      stderr: stringContaining('UUID'),
    });
    expect(await client(['end-session', randomUUID()], { KX_HOME: folder })).toMatchObject({
      code: 5,
      stderr: stringContaining('No live session'),
    });
    await server.http().get('/api/user/me').set(bearer(otherToken)).expect(200);
    expect(await client(['end-session', newest.id], { KX_HOME: folder })).toMatchObject({ code: 0 });
    await server.http().get('/api/user/me').set(bearer(otherToken)).expect(401);
    expect(
      listedSessions((await client(['sessions'], { KX_HOME: folder })).stdout).map((line) => line.id),
    ).not.toContain(newest.id);

    const tokens: string[] = [];
    while (tokens.length < 2) {
      expect(await client(['login', '--email', user.email], { KX_HOME: other })).toMatchObject({ code: 0 });
      tokens.push(storedUser(user.email, other).sessionToken);
    }
    expect(await client(['end-other-sessions'], { KX_HOME: folder })).toMatchObject({ code: 0 });
    for (const token of tokens) await server.http().get('/api/user/me').set(bearer(token)).expect(401);
    const left = listedSessions((await client(['sessions'], { KX_HOME: folder })).stdout);
    expect(left).toEqual([expect.objectContaining({ current: true })]);
  });

  it('lists the server’s and the keyserver’s events merged, newest first', async () => {
    const folder = tempFolder('kx-client-');
    const user = await signedIn('events', folder);
    expect(await client(['create-keypair'], { KX_HOME: folder })).toMatchObject({ code: 0 });
    expect(await client(['unlock'], { KX_HOME: folder })).toMatchObject({ code: 0 });

    const listed = await client(['events'], { KX_HOME: folder });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.split('\n').filter((line) => /^(server|keyserver) /.test(line));
    for (const [source, type] of [
      ['server', 'registered'],
      ['server', 'login.succeeded'],
      ['server', 'session.secured'],
      ['keyserver', 'key.stored'],
      ['keyserver', 'key.fetched'],
    ]) {
      expect(lines.some((line) => new RegExp(`^${source} +${type.replace('.', '\\.')} +\\d{4}-`).test(line))).toBe(
        true,
      );
    }
    const times = lines.map((line) => line.split(/ {2,}/)[2]);
    expect(times).toEqual([...times].sort().reverse());

    const limited = await client(['events', '--limit', '2'], { KX_HOME: folder });
    expect(limited.stdout.split('\n').filter((line) => /^(server|keyserver) /.test(line))).toEqual(lines.slice(0, 2));
    expect(limited.stdout).toContain('older events not shown');
    expect(await client(['events', '--limit', '0'], { KX_HOME: folder })).toMatchObject({
      code: 2,
      stderr: stringContaining('--limit'),
    });

    // A fresh login is not secured.
    expect(await client(['login', '--email', user.email], { KX_HOME: folder })).toMatchObject({ code: 0 });
    expect(await client(['events'], { KX_HOME: folder })).toMatchObject({
      code: 5,
      stderr: stringContaining('run `unlock` first'),
    });
  });

  it('delete-account: a mistyped email or a wrong password deletes nothing; the right one deletes the account and its key', async () => {
    const folder = tempFolder('kx-client-');
    const user = await signedIn('leaving', folder);
    const at = { KX_HOME: folder, KX_CONFIRM_EMAIL: user.email };
    expect(await client(['delete-account', '--email', user.email], at)).toMatchObject({
      code: 5,
      stderr: stringContaining('run `unlock` first'),
    });
    expect(await client(['create-keypair'], at)).toMatchObject({ code: 0 });

    const mistyped = await client(['delete-account', '--email', user.email], {
      ...at,
      KX_CONFIRM_EMAIL: `x${user.email}`,
    });
    expect(mistyped).toMatchObject({ code: 2, stderr: stringContaining('nothing was deleted') });
    expect((await storedBlob(user)).status).toBe(200);

    const wrong = await client(['delete-account', '--email', user.email], { ...at, KX_PASSWORD: 'not the password' });
    expect(wrong).toMatchObject({ code: 4, stderr: 'Wrong password; nothing was deleted.\n' });
    expect(wrong.stdout).not.toContain('Delete the');
    expect((await storedBlob(user)).status).toBe(200);
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);

    const deleted = await client(['delete-account', '--email', user.email], at);
    expect(deleted).toMatchObject({ code: 0, stdout: stringContaining('private key is gone for good') });
    expect(deleted.stdout.indexOf('Delete the encrypted private key on the keyserver')).toBeLessThan(
      deleted.stdout.indexOf('Delete the account on the server'),
    );
    expect(existsSync(join(folder, 'session.json'))).toBe(false);
    expect(Object.keys(storedDeviceTokens(folder))).not.toContain(user.email.toLowerCase());
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(401);
    // The keyserver's side has no route left to ask through (its user is gone): its table is the witness.
    const blobs = await keyserver.app
      .get(DataSource)
      .query<unknown[]>('SELECT 1 FROM encrypted_private_keys WHERE user_id = $1', [user.userId]);
    expect(blobs).toHaveLength(0);
    expect(await client(['login', '--email', user.email], at)).toMatchObject({ code: 4 });
    expect(await client(['register', '--email', user.email], at)).toMatchObject({ code: 0 });
  });

  /**
   * Keys are created through the API under FAST_KDF (a password change wraps
   * under the defaults anyway): each run here pays for its own Argon2id only.
   */
  describe('change-password and the KDF upgrade after unlock', () => {
    const second = 'second horse battery staple';
    const third = 'third horse battery staple';

    /** What a run killed right after its stage leaves behind: the key wrapped under `newPassword`, staged on version 1. */
    async function stageThroughApi(
      user: TestUser,
      keys: Awaited<ReturnType<typeof generateKeyPair>>,
      newPassword: string,
    ) {
      const wrapped = await encryptedBlob({ ...user, password: newPassword }, keys);
      const staged = await keyserver
        .http()
        .post(`/api/keys/${user.userId}/key-changes`)
        .set(bearer(await getAccessToken(server, user)))
        .send({ ...wrapped, baseVersion: 1 });
      expect(staged.status).toBe(201);
      const { keyChangeId, baseVersion, receipt } = staged.body as {
        keyChangeId: string;
        baseVersion: number;
        receipt: string;
      };
      return { keyChangeId, baseVersion, receipt }; // what commitKeyChange takes
    }

    it('changes the password twice; on a new device only the newest logs in, and unlocks', async () => {
      const folder = tempFolder('kx-client-');
      const user = await signedIn('new-password', folder);
      const keys = await createKeyPair(server, keyserver, user); // secures the session in `folder`
      const other = tempFolder('kx-client-');
      expect(await client(['login', '--email', user.email], { KX_HOME: other })).toMatchObject({ code: 0 }); // not secured

      const wrong = await client(['change-password'], {
        KX_HOME: other,
        KX_PASSWORD: 'not the password',
        KX_NEW_PASSWORD: second,
      });
      expect(wrong).toMatchObject({ code: 4, stderr: stringContaining('opens with neither') });
      expect(await client(['change-password'], { KX_HOME: other, KX_NEW_PASSWORD: password })).toMatchObject({
        code: 2,
      });

      const first = await client(['change-password'], { KX_HOME: other, KX_NEW_PASSWORD: second });
      expect(first).toMatchObject({ code: 0, stdout: stringContaining('Password changed (key version 2)') });
      expect(first.stdout).toContain('Answer a session challenge');
      // Whoever held a session under the old password is out.
      expect(await client(['status'], { KX_HOME: folder })).toMatchObject({ code: 3 });

      const again = await client(['change-password'], { KX_HOME: other, KX_PASSWORD: second, KX_NEW_PASSWORD: third });
      expect(again).toMatchObject({ code: 0, stdout: stringContaining('Password changed (key version 3)') });
      expect(again.stdout).not.toContain('session challenge');

      const device = tempFolder('kx-client-');
      for (const old of [password, second]) {
        expect(await client(['login', '--email', user.email], { KX_HOME: device, KX_PASSWORD: old })).toMatchObject({
          code: 4,
        });
      }
      expect(await client(['login', '--email', user.email], { KX_HOME: device, KX_PASSWORD: third })).toMatchObject({
        code: 0,
      });
      const unlocked = await client(['unlock'], { KX_HOME: device, KX_PASSWORD: third });
      expect(unlocked).toMatchObject({
        code: 0,
        stdout: stringContaining(`Fingerprint: ${await fingerprint(keys.publicKey)}`),
      });
      expect(unlocked.stdout).not.toContain('Re-encrypt'); // wrapped under the defaults already
    });

    it('run again after a run stopped past its stage: abandons the staged change and finishes', async () => {
      const folder = tempFolder('kx-client-');
      const user = await signedIn('staged-only', folder);
      const keys = await createKeyPair(server, keyserver, user);
      const abandoned = await stageThroughApi(user, keys, second);

      const resumed = await client(['change-password'], { KX_HOME: folder, KX_NEW_PASSWORD: second });
      expect(resumed).toMatchObject({ code: 0, stdout: stringContaining('Password changed (key version 2)') });
      expect(resumed.stdout).toContain('Abandon a change an earlier run staged');
      expect((await storedBlob(user)).body).toMatchObject({ version: 2, pendingChanges: [] });
      // Abandoned for good: the server never commits it, even with its receipt.
      const stale = { ...abandoned, currentPassword: await deriveLoginSecret(user.email, second) };
      await server.http().post('/api/user/key-change').set(bearer(user.sessionToken)).send(stale).expect(409);

      const device = tempFolder('kx-client-');
      expect(await client(['login', '--email', user.email], { KX_HOME: device, KX_PASSWORD: second })).toMatchObject({
        code: 0,
      });
      expect(await client(['unlock'], { KX_HOME: device, KX_PASSWORD: second })).toMatchObject({
        code: 0,
        stdout: stringContaining(`Fingerprint: ${await fingerprint(keys.publicKey)}`),
      });
    });

    it('run again after a run stopped past its commit: says the new password is valid', async () => {
      const folder = tempFolder('kx-client-');
      const user = await signedIn('committed', folder);
      const keys = await createKeyPair(server, keyserver, user);
      const staged = await stageThroughApi(user, keys, second);
      const [currentPassword, newPassword] = [
        await deriveLoginSecret(user.email, password),
        await deriveLoginSecret(user.email, second),
      ];
      await server
        .http()
        .post('/api/user/key-change')
        .set(bearer(user.sessionToken))
        .send({ ...staged, currentPassword, newPassword })
        .expect(200);

      const rerun = await client(['change-password'], { KX_HOME: folder, KX_NEW_PASSWORD: second });
      expect(rerun).toMatchObject({
        code: 0,
        stdout: stringContaining('Your password is already changed; the new password is valid.'),
      });
      expect((await storedBlob(user)).body).toMatchObject({ version: 2, pendingChanges: [] });
    });

    it('unlock re-encrypts a key stored under weaker KDF parameters, under the same password', async () => {
      const folder = tempFolder('kx-client-');
      const user = await signedIn('weak-kdf', folder);
      const keys = await createKeyPair(server, keyserver, user, FAST_KDF);
      expect((await storedBlob(user)).body).toMatchObject({ version: 1, kdf: FAST_KDF });

      const unlocked = await client(['unlock'], { KX_HOME: folder });
      expect(unlocked.code).toBe(0);
      expect(unlocked.stdout).toMatch(
        /Re-encrypt the private key under stronger KDF parameters \(Argon2id, 64 MiB, 3 passes\) \(\d+ ms\)/,
      );
      expect((await storedBlob(user)).body).toMatchObject({
        version: 2,
        kdf: { ...DEFAULT_KDF_PARAMS },
        pendingChanges: [],
      });

      expect(await client(['login', '--email', user.email], { KX_HOME: folder })).toMatchObject({ code: 0 });
      const again = await client(['unlock'], { KX_HOME: folder });
      expect(again).toMatchObject({
        code: 0,
        stdout: stringContaining(`Fingerprint: ${await fingerprint(keys.publicKey)}`),
      });
      expect(again.stdout).not.toContain('Re-encrypt');
    });
  });
});
