import { execFile, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, type Service } from './support/database.js';
import { Scratch, type ServicePair, type ServiceProcess } from './support/processes.js';
import type { StoredSession } from '../apps/client/src/session-store.js';
import { uniqueEmail } from './support/users.js';

const run = promisify(execFile);
const PASSWORD = 'correct horse battery staple';

/** A request of the reference client's create-keypair, after which the test cuts. */
interface CutPoint {
  name: string;
  /** `METHOD /path` with the user id as `:id`. */
  request: string;
  /** Which occurrence of that request in the run (from 1). */
  occurrence: number;
  /**
   * Whether it leaves a state of its own (what the services hold, what comes
   * next): killing a service is tried there; the client is killed everywhere.
   */
  distinct: boolean;
}

/** Every step of create-keypair that changes something, or reads what the next step relies on. */
const CUT_POINTS: CutPoint[] = [
  // Nothing stored yet: the same as a service that was down when the run began.
  { name: 'the fresh login that checks the password', request: 'POST /api/auth/login', occurrence: 1, distinct: false },
  { name: 'storing the public key (pending)', request: 'PUT /api/user/public-key', occurrence: 1, distinct: true },
  { name: 'storing the encrypted private key', request: 'POST /api/keys/:id', occurrence: 1, distinct: true },
  // What the check read is what the previous step stored.
  { name: 'checking the stored key', request: 'GET /api/keys/:id', occurrence: 2, distinct: false },
  {
    name: 'asking for the session challenge',
    request: 'POST /api/user/session-challenge',
    occurrence: 1,
    distinct: true,
  },
  {
    name: 'answering the session challenge',
    request: 'POST /api/user/session-challenge/answer',
    occurrence: 1,
    distinct: true,
  },
];

type Victim = 'client' | Service;

/**
 * Sits between the client and a service, forwards every request, and at the
 * cut point (once the service has answered, so its effect is in place) calls
 * `cut` and withholds the answer: whoever waited for it learns nothing.
 */
async function relay(target: () => string, cut: (request: string) => Promise<boolean>): Promise<Server> {
  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type'])
      if (incoming.headers[name]) headers[name] = String(incoming.headers[name]);
    const body = Buffer.concat(chunks);
    const answer = await fetch(`${target()}${incoming.url}`, {
      method: incoming.method,
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const text = await answer.text();
    const path = (incoming.url ?? '/').split('?')[0].replace(/[0-9a-f-]{36}/g, ':id');
    if (await cut(`${incoming.method} ${path}`)) {
      response.socket?.destroy();
      return;
    }
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(text);
  };
  const server = createServer((incoming, response) => {
    handle(incoming, response).catch(() => response.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * Crash points of create-keypair, with real processes: the reference client
 * or either service is killed (SIGKILL) between each step and the next; the
 * service comes back on its data, and the user runs create-keypair again,
 * finishes, and unlocks on a new device with the key the server names.
 */
describe.runIf(onPostgres)('create-keypair survives a crash between any two steps', () => {
  const scratch = new Scratch();
  let services: Record<Service, ServiceProcess>;
  let pair: ServicePair;

  beforeAll(async () => {
    pair = await scratch.startPair();
    services = pair.services;
    await scratch.main('client');
  });
  afterAll(() => scratch.cleanUp());

  /** The reference client, run to its end, talking to the given URLs (the services' own by default). */
  async function client(args: string[], home: string, urls: Partial<Record<Service, string>> = {}) {
    const result = await run(process.execPath, [await scratch.main('client'), ...args], {
      env: {
        PATH: process.env.PATH,
        KX_HOME: home,
        KX_SERVER_URL: urls.server ?? services.server.url,
        KX_KEYSERVER_URL: urls.keyserver ?? services.keyserver.url,
        KX_PASSWORD: PASSWORD,
      },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number | null; stdout: string; stderr: string }) => ({ ...error, code: error.code }),
    );
    expect(result.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    return result;
  }

  /** create-keypair through relays that kill `victim` at `point`; answers once the run has ended. */
  async function cutRun(home: string, point: CutPoint, victim: Victim): Promise<void> {
    let seen = 0;
    let killClient = () => {};
    let cutDone = false;
    const cut = async (request: string) => {
      if (cutDone || request !== point.request || ++seen !== point.occurrence) return false;
      cutDone = true;
      if (victim === 'client') killClient();
      else {
        const dying = services[victim];
        dying.child.kill('SIGKILL');
        await dying.exited;
      }
      return true;
    };
    const relays = {
      server: await relay(() => services.server.url, cut),
      keyserver: await relay(() => services.keyserver.url, cut),
    };
    try {
      const child = spawn(process.execPath, [await scratch.main('client'), 'create-keypair'], {
        env: {
          PATH: process.env.PATH,
          KX_HOME: home,
          KX_SERVER_URL: urlOf(relays.server),
          KX_KEYSERVER_URL: urlOf(relays.keyserver),
          KX_PASSWORD: PASSWORD,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      killClient = () => child.kill('SIGKILL');
      const code = await exited;
      expect(cutDone, `never reached ${point.request} #${point.occurrence}:\n${output}`).toBe(true);
      if (victim !== 'client') expect(code, output).not.toBe(0);
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      for (const server of Object.values(relays)) server.closeAllConnections();
      await Promise.all(Object.values(relays).map((server) => new Promise((resolve) => server.close(resolve))));
    }
    if (victim !== 'client') await pair.restart(victim);
  }

  async function afterTheCrash(email: string, home: string): Promise<void> {
    const again = await client(['create-keypair'], home);
    // Finished by the cut run itself (the cut fell after the confirmation), or now.
    if (again.code !== 0) expect(again.stderr).toMatch(/already has a confirmed key pair/);
    const device = scratch.folder('kx-crash-device-');
    expect(await client(['login', '--email', email], device)).toMatchObject({ code: 0 });
    const unlocked = await client(['unlock'], device);
    expect(unlocked, unlocked.stderr).toMatchObject({ code: 0 });
    // The key the server names for the user, asked with the session the unlock secured.
    const session = JSON.parse(readFileSync(join(device, 'session.json'), 'utf8')) as StoredSession;
    const named = await fetch(`${services.server.url}/api/users/${session.userId}/public-key`, {
      headers: { authorization: `Bearer ${session.sessionToken}` },
    });
    expect(named.status).toBe(200);
    const { fingerprint } = (await named.json()) as { fingerprint: string };
    expect(unlocked.stdout).toContain(fingerprint);
  }

  async function newAccount(): Promise<{ email: string; home: string }> {
    const email = uniqueEmail('crash');
    const home = scratch.folder('kx-crash-home-');
    expect(await client(['register', '--email', email], home)).toMatchObject({ code: 0 });
    expect(await client(['login', '--email', email], home)).toMatchObject({ code: 0 });
    return { email, home };
  }

  const crashAndRecover = (victim: Victim) => async (point: CutPoint) => {
    const { email, home } = await newAccount();
    await cutRun(home, point, victim);
    await afterTheCrash(email, home);
  };
  // Each run pays for several Argon2id and scrypt hashes and client processes.
  const timeout = 120_000;
  it.each(CUT_POINTS)('the client is killed right after $name', crashAndRecover('client'), timeout);
  for (const victim of ['server', 'keyserver'] as const) {
    it.each(CUT_POINTS.filter((point) => point.distinct))(
      `the ${victim} is killed right after $name`,
      crashAndRecover(victim),
      timeout,
    );
  }
});
