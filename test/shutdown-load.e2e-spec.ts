import {
  fingerprint,
  fromBase64Url,
  generateKeyPair,
  KEY_ALGORITHM,
  openSessionChallenge,
  toBase64Url,
  unwrapPrivateKey,
  type KdfParams,
} from '@app/crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptedBlob, type KeyPair } from './support/client.js';
import { onPostgres, type Service } from './support/database.js';
import { Scratch, type ServicePair, type ServiceProcess } from './support/processes.js';
import { randomPassword, registerAndLogin, uniqueEmail, type TestUser } from './support/users.js';

/**
 * SIGTERM to a service while users create key pairs and fetch their keys:
 * a ledger of every request shows each 2xx's effect present afterwards, each
 * request left unanswered applied completely or not at all, and the
 * invariants holding (each confirmed key has a blob of its fingerprint; no
 * token spent twice; every accepted password decrypts the served blob).
 */

type Step =
  'register' | 'login' | 'putPublicKey' | 'accessToken' | 'putPrivateKey' | 'sessionChallenge' | 'answer' | 'fetchKey';

/** A status, or `unanswered` when the connection failed before an answer. */
type Outcome = number | 'unanswered';

interface LoadUser extends TestUser {
  keys?: KeyPair;
  steps: Partial<Record<Exclude<Step, 'fetchKey'>, Outcome>>;
  /** Each access token sent twice at once to the keyserver: the two outcomes. */
  fetches: Array<{ token: string; outcomes: Outcome[] }>;
}

const LOAD_WORKERS = 4;
const DRAIN_MS = 500;

describe.runIf(onPostgres)('SIGTERM under load', () => {
  const scratch = new Scratch();
  let services: Record<Service, ServiceProcess>;
  let pair: ServicePair;

  beforeAll(async () => {
    pair = await scratch.startPair({ SHUTDOWN_DRAIN_MS: String(DRAIN_MS) });
    services = pair.services;
  });
  afterAll(() => scratch.cleanUp());

  async function call(
    service: Service,
    method: string,
    path: string,
    { token, body }: { token?: string; body?: object } = {},
  ): Promise<{ outcome: Outcome; body: Record<string, unknown> }> {
    try {
      const response = await fetch(`${services[service].url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body && JSON.stringify(body),
      });
      const text = await response.text();
      return { outcome: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch {
      // Refused, reset or closed before the answer: whether it was applied is what the checks find out.
      return { outcome: 'unanswered', body: {} };
    }
  }

  const ok = (outcome: Outcome | undefined): boolean => typeof outcome === 'number' && outcome >= 200 && outcome < 300;

  const newUser = (): LoadUser => ({
    email: uniqueEmail('load'),
    password: randomPassword(),
    userId: '',
    sessionToken: '',
    steps: {},
    fetches: [],
  });

  /**
   * One user's life: register and log in (unless `from` says it already did),
   * create a key pair, then fetch the key until `stopping`. Answers false once
   * a request went unanswered or failed: the service is going away.
   */
  async function live(user: LoadUser, stopping: () => boolean, from: 'register' | 'putPublicKey'): Promise<boolean> {
    const step = async (name: Exclude<Step, 'fetchKey'>, ...args: Parameters<typeof call>) => {
      const result = await call(...args);
      user.steps[name] = result.outcome;
      return ok(result.outcome) ? result.body : undefined;
    };
    if (from === 'register') {
      const credentials = { email: user.email, password: user.password };
      const registered = await step('register', 'server', 'POST', '/api/auth/register', { body: credentials });
      if (!registered) return false;
      user.userId = registered.userId as string;
      const session = await step('login', 'server', 'POST', '/api/auth/login', { body: credentials });
      if (!session) return false;
      user.sessionToken = session.sessionToken as string;
    }
    const token = user.sessionToken;
    const keys = (user.keys = await generateKeyPair());
    const publicKey = { algorithm: KEY_ALGORITHM, publicKey: toBase64Url(keys.publicKey) };
    if (!(await step('putPublicKey', 'server', 'PUT', '/api/user/public-key', { token, body: publicKey })))
      return false;
    const accessToken = await step('accessToken', 'server', 'POST', '/api/user/access-token', { token });
    if (!accessToken) return false;
    const blob = await encryptedBlob(user, keys);
    const path = `/api/keys/${user.userId}`;
    const stored = await step('putPrivateKey', 'keyserver', 'POST', path, {
      token: accessToken.accessToken as string,
      body: blob,
    });
    if (!stored) return false;
    const challenge = await step('sessionChallenge', 'server', 'POST', '/api/user/session-challenge', { token });
    if (!challenge) return false;
    const opened = await openSessionChallenge({
      privateKey: keys.privateKey,
      challengeId: challenge.challengeId as string,
      enc: fromBase64Url(challenge.enc as string),
      ciphertext: fromBase64Url(challenge.ciphertext as string),
    });
    const answer = { challengeId: challenge.challengeId, token: toBase64Url(opened) };
    if (!(await step('answer', 'server', 'POST', '/api/user/session-challenge/answer', { token, body: answer })))
      return false;
    while (!stopping()) {
      const issued = await call('server', 'POST', '/api/user/access-token', { token });
      if (issued.outcome !== 201) return false;
      const accessTokenToSpend = issued.body.accessToken as string;
      // The same token twice at once: at most one may be served.
      const outcomes = await Promise.all(
        [0, 1].map(async () => (await call('keyserver', 'GET', path, { token: accessTokenToSpend })).outcome),
      );
      user.fetches.push({ token: accessTokenToSpend, outcomes });
      if (!outcomes.includes(200)) return false;
    }
    return true;
  }

  /**
   * The load, recorded in `ledger`: users registered beforehand create key
   * pairs and fetch their keys, another worker registers new users, and each
   * worker goes on with a new user until a request of its goes unanswered or
   * fails (the service is going away). Answers once the load is under way
   * (keys being fetched), with the promise of its end.
   */
  async function startLoad(ledger: LoadUser[], stopping: () => boolean): Promise<{ finished: Promise<void> }> {
    const registered = await Promise.all(
      Array.from({ length: LOAD_WORKERS }, async () => {
        const registered = await registerAndLogin(services.server.http, uniqueEmail('load'));
        return { ...newUser(), ...registered, steps: { register: 201, login: 200 } } satisfies LoadUser;
      }),
    );
    const worker = async (first: LoadUser | undefined) => {
      let user = first ?? newUser();
      for (;;) {
        ledger.push(user);
        if (!(await live(user, stopping, first === user ? 'putPublicKey' : 'register'))) return;
        user = newUser();
      }
    };
    const finished = Promise.all([...registered.map(worker), worker(undefined)]).then(() => undefined);
    const served = () => ledger.flatMap((user) => user.fetches).filter(({ outcomes }) => outcomes.includes(200));
    const began = performance.now();
    while (served().length < 20) {
      if (performance.now() - began > 30_000)
        throw new Error(`The load did not get going: ${served().length} keys fetched`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Wrapped: an async function returning the promise itself would wait for it.
    return { finished };
  }

  /** Checks the ledger against what the services hold now, through their APIs and the server's table of keys. */
  async function checkLedger(ledger: LoadUser[]): Promise<void> {
    const serverDb = new pg.Client({ connectionString: pair.databases.server });
    await serverDb.connect();
    try {
      for (const user of ledger) {
        const credentials = { email: user.email, password: user.password };
        const login = await call('server', 'POST', '/api/auth/login', { body: credentials });
        if (ok(user.steps.register)) expect(login.outcome, `${user.email}: registered, then cannot log in`).toBe(200);
        if (login.outcome !== 200) {
          // Not applied at all: the email is free again.
          expect(login.outcome).toBe(401);
          expect((await call('server', 'POST', '/api/auth/register', { body: credentials })).outcome).toBe(201);
          continue;
        }
        user.userId = login.body.userId as string;
        const token = login.body.sessionToken as string;
        const me = await call('server', 'GET', '/api/user/me', { token });
        const confirmed = me.body.publicKeyFingerprint as string | null;
        const expected = user.keys && (await fingerprint(user.keys.publicKey));
        const {
          rows: [stored],
        } = await serverDb.query<{ fingerprint: string }>('SELECT fingerprint FROM public_keys WHERE user_id = $1', [
          user.userId,
        ]);
        if (ok(user.steps.putPublicKey)) expect(stored?.fingerprint).toBe(expected);
        if (ok(user.steps.answer)) expect(confirmed, `${user.email}: secured, key not confirmed`).toBe(expected);
        if (confirmed) expect(confirmed).toBe(stored?.fingerprint);

        const accessToken = await call('server', 'POST', '/api/user/access-token', { token });
        expect(accessToken.outcome).toBe(201);
        const blob = await call('keyserver', 'GET', `/api/keys/${user.userId}`, {
          token: accessToken.body.accessToken as string,
        });
        if (ok(user.steps.putPrivateKey) || confirmed) {
          expect(blob.outcome, `${user.email}: blob stored or key confirmed, and no blob`).toBe(200);
        } else {
          expect([200, 404]).toContain(blob.outcome);
        }
        if (blob.outcome === 200) {
          // Whole or absent: what is served is a blob of the user's key, and the accepted password opens it.
          expect(blob.body.publicKeyFingerprint).toBe(expected);
          const opened = await unwrapPrivateKey({
            encryptedPrivateKey: fromBase64Url(blob.body.encryptedPrivateKey as string),
            iv: fromBase64Url(blob.body.iv as string),
            salt: fromBase64Url(blob.body.salt as string),
            kdf: blob.body.kdf as KdfParams,
            password: user.password,
            userId: user.userId,
          });
          expect(opened.fingerprint).toBe(expected);
        }
        for (const { token: spent, outcomes } of user.fetches) {
          expect(
            outcomes.filter((outcome) => outcome === 200).length,
            `token ${spent} served twice`,
          ).toBeLessThanOrEqual(1);
        }
      }
    } finally {
      await serverDb.end();
    }
  }

  for (const service of ['server', 'keyserver'] as const) {
    it(`the ${service} stops cleanly and loses nothing it answered`, async () => {
      const target = services[service];
      const ledger: LoadUser[] = [];
      let stopping = false;
      void target.exited.then(() => (stopping = true));
      const load = await startLoad(ledger, () => stopping);
      target.child.kill('SIGTERM');
      const code = await target.exited;
      expect(code, target.output().slice(-3000)).toBe(0);
      await load.finished;
      await pair.restart(service);

      await checkLedger(ledger);
    }, 120_000);
  }
});
