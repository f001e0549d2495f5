import { randomBytes } from 'node:crypto';
import { generateKeyPair } from '@app/crypto';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import {
  closeAll,
  freePort,
  startKeyserver,
  startServer,
  TEST_KEYSERVER_API_KEY,
  type RunningApp,
} from './support/apps.js';
import { encryptedBlob, getAccessToken, openChallenge, putPrivateKey, putPublicKey } from './support/client.js';
import { bearer, randomPassword, registerAndLogin, uniqueEmail, type TestUser } from './support/users.js';
import { anyString, stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

/** Each test counts from addresses of its own, forwarded by the one proxy the services trust. */
let lastAddress = 0;
const newAddress = () => {
  lastAddress += 1;
  return `198.51.${100 + (lastAddress >> 8)}.${lastAddress & 255}`;
};

/** The app as seen from `address`: every request forwarded for it by the trusted proxy. */
const via = (app: RunningApp, address: string): RunningApp => ({
  ...app,
  http: () => app.http().set('X-Forwarded-For', address),
});

const credentials = ({ email, password }: Pick<TestUser, 'email' | 'password'>) => ({ email, password });

const LIMITS = {
  RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '3/15m',
  RATE_LIMIT_LOGIN_PER_ADDRESS: '5/15m',
  RATE_LIMIT_LOGIN_PER_EMAIL: '7/24h',
  RATE_LIMIT_LOGIN_PER_DEVICE: '4/15m',
  RATE_LIMIT_REGISTER_PER_ADDRESS: '3/1h',
  RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: '3/1m',
  RATE_LIMIT_CHALLENGES_PER_SESSION: '3/1m',
  RATE_LIMIT_WRONG_ANSWERS_PER_SESSION: '2/1h',
  RATE_LIMIT_KEYS_PER_USER: '4/1h',
  RATE_LIMIT_REQUESTS_PER_ADDRESS: '40/1m',
  TRUST_PROXY: '1',
};

/** The answer every limit gives: 429, the usual error body, and the whole seconds left in the window. */
function expectTooManyRequests(response: supertest.Response, windowSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: anyString() });
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  const wait = Number(response.headers['retry-after']);
  // The window started at the first counted event, a few seconds ago at most.
  expect(wait).toBeLessThanOrEqual(windowSeconds);
  expect(wait).toBeGreaterThan(windowSeconds - 60);
  expect(response.headers['cache-control']).toBe('no-store');
}

describe('rate limits: every limit trips at exactly its number, answers 429 with Retry-After, and changes nothing', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    server = await startServer(LIMITS);
    keyserver = await startKeyserver(server.url, LIMITS);
  });
  afterAll(() => closeAll(keyserver, server));

  const login = (from: string, body: { email: string; password: string; deviceToken?: string }) =>
    server.http().post('/api/auth/login').set('X-Forwarded-For', from).send(body);
  const register = (from: string, body: object) =>
    server.http().post('/api/auth/register').set('X-Forwarded-For', from).send(body);
  const wrong = (user: Pick<TestUser, 'email'>) => ({ email: user.email, password: randomPassword() });
  /** A registered user, without a session (logged-in users get their session in their own tests). */
  async function newUser(): Promise<Pick<TestUser, 'email' | 'password'>> {
    const user = { email: uniqueEmail('limited'), password: randomPassword() };
    await register(newAddress(), user).expect(201);
    return user;
  }
  async function failLogins(
    from: string,
    user: Pick<TestUser, 'email'>,
    times: number,
    deviceToken?: string,
  ): Promise<void> {
    for (let i = 0; i < times; i += 1) expect((await login(from, { ...wrong(user), deviceToken })).status).toBe(401);
  }

  describe('RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS (3/15m)', () => {
    it('refuses the 4th login at one email from one address, the right password included; other addresses still log in', async () => {
      const user = await newUser();
      const here = newAddress();
      await failLogins(here, user, 3);
      expectTooManyRequests(await login(here, user), 900);
      expectTooManyRequests(await login(here, wrong(user)), 900);
      expect((await login(newAddress(), user)).status).toBe(200);
    });

    it('moves no other counter with a 429: the address counter stands where the failures left it', async () => {
      const user = await newUser();
      const here = newAddress();
      await failLogins(here, user, 3);
      for (let i = 0; i < 3; i += 1) expect((await login(here, user)).status).toBe(429);
      // 3 of the address's 5: two more failures pass, the next is refused. Had the 429s counted, they would not.
      await failLogins(here, { email: uniqueEmail('other') }, 2);
      expectTooManyRequests(await login(here, wrong({ email: uniqueEmail('other') })), 900);
    });

    it('is cleared by a successful login, and right secrets never count', async () => {
      const user = await newUser();
      const here = newAddress();
      await failLogins(here, user, 2);
      expect((await login(here, user)).status).toBe(200);
      await failLogins(here, user, 3);
      expectTooManyRequests(await login(here, user), 900);
    });

    it('lets exactly 3 of 20 concurrent wrong guesses be checked: a failure is counted before its hash runs', async () => {
      const user = await newUser();
      const here = newAddress();
      const answers = await Promise.all(Array.from({ length: 20 }, () => login(here, wrong(user))));
      const statuses = answers.map((response) => response.status).sort();
      expect(statuses.filter((status) => status === 401)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(17);
    });
  });

  describe('RATE_LIMIT_LOGIN_PER_ADDRESS (5/15m)', () => {
    it('refuses the 6th failed login from one address, across emails, unknown ones counted like known ones', async () => {
      const here = newAddress();
      const known = await newUser();
      await failLogins(here, known, 1);
      for (let i = 0; i < 4; i += 1) await failLogins(here, { email: uniqueEmail('nobody') }, 1);
      const someoneElse = await newUser();
      expectTooManyRequests(await login(here, someoneElse), 900);
      expect((await login(newAddress(), someoneElse)).status).toBe(200);
    });
  });

  describe('RATE_LIMIT_LOGIN_PER_EMAIL (7/24h), and the owner with a device token', () => {
    it('refuses the 8th failed login at one email from any address; the owner’s device still logs in', async () => {
      const user = await newUser();
      const ownerAddress = newAddress();
      const { deviceToken } = (await login(ownerAddress, user).expect(200)).body as { deviceToken: string };
      // A stranger spreads 7 guesses over 7 addresses: under every per-address limit.
      for (let i = 0; i < 7; i += 1) await failLogins(newAddress(), user, 1);
      expectTooManyRequests(await login(newAddress(), user), 86_400);
      expectTooManyRequests(await login(ownerAddress, user), 86_400);
      // The owner's device is not the stranger: it logs in, and gets a new token.
      const owner = await login(ownerAddress, { ...user, deviceToken });
      expect(owner.status).toBe(200);
      const ownersNewToken = bodyOf<ServerApi.LoginResponse>(owner).deviceToken;
      expect(ownersNewToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(ownersNewToken).not.toBe(deviceToken);
      // The token it presented was replaced: alone, it is no longer a device of this email.
      expectTooManyRequests(await login(ownerAddress, { ...user, deviceToken }), 86_400);
      expect((await login(ownerAddress, { ...user, deviceToken: ownersNewToken })).status).toBe(200);
    });
  });

  describe('RATE_LIMIT_LOGIN_PER_DEVICE (4/15m)', () => {
    it('counts a device’s failures against the device only, and refuses its 5th', async () => {
      const user = await newUser();
      const here = newAddress();
      const { deviceToken } = (await login(here, user).expect(200)).body as { deviceToken: string };
      // More failures than the email + address limit (3) allows, none counted there.
      await failLogins(here, user, 4, deviceToken);
      expectTooManyRequests(await login(here, { ...user, deviceToken }), 900);
      // Without the device, the same email and address log in: their counters did not move.
      const fresh = await login(here, user);
      expect(fresh.status).toBe(200);
      // That login's own device token is a device of its own, with its own count.
      expect(
        (await login(here, { ...user, deviceToken: bodyOf<ServerApi.LoginResponse>(fresh).deviceToken })).status,
      ).toBe(200);
    });

    it('treats an unknown token, or another email’s, as no token at all', async () => {
      const owner = await newUser();
      const ownersDevice = bodyOf<ServerApi.LoginResponse>(await login(newAddress(), owner).expect(200)).deviceToken;
      const victim = await newUser();
      const here = newAddress();
      await failLogins(here, victim, 1, ownersDevice);
      await failLogins(here, victim, 2, randomBytes(32).toString('base64url'));
      expectTooManyRequests(await login(here, { ...victim, deviceToken: ownersDevice }), 900);
    });

    it('refuses a malformed device token with 400, counting nothing', async () => {
      const user = await newUser();
      const here = newAddress();
      for (let i = 0; i < 5; i += 1) {
        const response = await login(here, { ...wrong(user), deviceToken: 'not-a-token' });
        expect(response.status).toBe(400);
        expect(errorOf(response).message).toEqual([
          'deviceToken must be 32 bytes encoded as base64url without padding',
        ]);
      }
      await failLogins(here, user, 3);
      expect((await login(here, user)).status).toBe(429);
    });
  });

  describe('RATE_LIMIT_REGISTER_PER_ADDRESS (3/1h)', () => {
    it('counts 201s and 409s from one address, refuses the 4th registration, and creates nothing then', async () => {
      const here = newAddress();
      expect((await register(here, { email: 'not-an-email', password: randomPassword() })).status).toBe(400);
      const taken = await newUser();
      expect((await register(here, { email: uniqueEmail(), password: randomPassword() })).status).toBe(201);
      expect((await register(here, taken)).status).toBe(409);
      expect((await register(here, { email: uniqueEmail(), password: randomPassword() })).status).toBe(201);
      const refused = { email: uniqueEmail('refused'), password: randomPassword() };
      expectTooManyRequests(await register(here, refused), 3600);
      // No account was made: the email is still free, from another address.
      expect((await login(newAddress(), refused)).status).toBe(401);
      expect((await register(newAddress(), refused)).status).toBe(201);
    });
  });

  describe('per session', () => {
    let user: TestUser;
    let from: string;
    let here: RunningApp;
    const asUser = (request: supertest.Test, sessionToken = user.sessionToken) =>
      request.set('X-Forwarded-For', from).set(bearer(sessionToken));
    beforeAll(async () => {
      from = newAddress();
      here = via(server, from);
      user = await registerAndLogin(here.http);
    });

    it('RATE_LIMIT_ACCESS_TOKENS_PER_SESSION (3/1m): issues 3 access tokens, refuses the 4th; another session is counted apart', async () => {
      const session = bodyOf<ServerApi.LoginResponse>(await login(from, credentials(user)).expect(200)).sessionToken;
      for (let i = 0; i < 3; i += 1)
        expect((await asUser(server.http().post('/api/user/access-token'), session)).status).toBe(201);
      const refused = await asUser(server.http().post('/api/user/access-token'), session);
      expectTooManyRequests(refused, 60);
      expect(bodyOf<Partial<ServerApi.AccessTokenResponse>>(refused).accessToken).toBeUndefined();
      expect((await asUser(server.http().post('/api/user/access-token'))).status).toBe(201);
    });

    it('RATE_LIMIT_CHALLENGES_PER_SESSION (3/1m) and RATE_LIMIT_WRONG_ANSWERS_PER_SESSION (2/1h)', async () => {
      const keys = await generateKeyPair();
      await putPublicKey(here, user, keys.publicKey).expect(200);
      const session = bodyOf<ServerApi.LoginResponse>(await login(from, credentials(user)).expect(200)).sessionToken;
      const answer = (body: object) =>
        asUser(server.http().post('/api/user/session-challenge/answer'), session).send(body);

      const first = await openChallenge(here, session, keys);
      // Malformed answers are 400s: they neither spend the challenge nor count.
      for (let i = 0; i < 3; i += 1) expect((await answer({ ...first, token: 'short' })).status).toBe(400);
      expect((await answer({ ...first, token: randomBytes(32).toString('base64url') })).status).toBe(403);
      const second = await openChallenge(here, session, keys);
      expect((await answer({ ...second, token: randomBytes(32).toString('base64url') })).status).toBe(403);
      const third = await openChallenge(here, session, keys);
      expectTooManyRequests(await asUser(server.http().post('/api/user/session-challenge'), session), 60);

      // Two refused answers: the right one is refused too, and the session stays unsecured.
      expectTooManyRequests(await answer(third), 3600);
      const me = await asUser(server.http().get('/api/user/me'), session).expect(200);
      expect(bodyOf<ServerApi.UserResponse>(me).secured).toBe(false);
      // Another session of the same user is counted apart, and the key it holds is right.
      const other = bodyOf<ServerApi.LoginResponse>(await login(from, credentials(user)).expect(200)).sessionToken;
      const fresh = await openChallenge(here, other, keys);
      const passed = await asUser(server.http().post('/api/user/session-challenge/answer'), other).send(fresh);
      expect(passed.status).toBe(200);
    });
  });

  describe('RATE_LIMIT_KEYS_PER_USER (4/1h, keyserver)', () => {
    it('counts reads and writes once the token is validated; the 5th is refused and its token stays spent', async () => {
      const from = newAddress();
      const [here, keyserverHere] = [via(server, from), via(keyserver, from)];
      const user = await registerAndLogin(here.http);
      const keys = await generateKeyPair();
      await putPublicKey(here, user, keys.publicKey).expect(200);
      const keyserverGet = (accessToken: string) =>
        keyserverHere.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken));
      // Each from a session of its own: RATE_LIMIT_ACCESS_TOKENS_PER_SESSION is 3 here.
      const newAccessToken = async () =>
        getAccessToken(here, {
          ...user,
          sessionToken: bodyOf<ServerApi.LoginResponse>(await login(from, credentials(user)).expect(200)).sessionToken,
        });

      // Not counted: a malformed path (400) and a rejected token (403).
      expect(
        (
          await keyserverHere
            .http()
            .get('/api/keys/not-a-uuid')
            .set(bearer(await newAccessToken()))
        ).status,
      ).toBe(400);
      expect((await keyserverGet(randomBytes(32).toString('base64url'))).status).toBe(403);

      const put = await putPrivateKey(
        keyserverHere,
        user.userId,
        await newAccessToken(),
        await encryptedBlob(user, keys),
      );
      expect(put.status, bodyOf<{ message?: string }>(put).message).toBe(201);
      for (let i = 0; i < 3; i += 1) expect((await keyserverGet(await newAccessToken())).status).toBe(200);
      const token = await newAccessToken();
      const refused = await keyserverGet(token);
      expectTooManyRequests(refused, 3600);
      expect(bodyOf<Partial<KeyserverApi.EncryptedPrivateKeyResponse>>(refused).encryptedPrivateKey).toBeUndefined();
      // Validated before it was counted: the token is spent.
      expect((await keyserverGet(token)).status).toBe(403);
    });
  });

  describe('RATE_LIMIT_REQUESTS_PER_ADDRESS (40/1m, each service)', () => {
    it('counts every request from an address, and refuses the 41st before reading its body', async () => {
      const here = newAddress();
      for (let i = 0; i < 40; i += 1)
        expect((await server.http().get('/api/user/me').set('X-Forwarded-For', here)).status).toBe(401);
      expectTooManyRequests(await server.http().get('/api/user/me').set('X-Forwarded-For', here), 60);
      // Before the body: a malformed one is not even looked at.
      const malformed = await server
        .http()
        .post('/api/auth/login')
        .set('X-Forwarded-For', here)
        .set('Content-Type', 'application/json')
        .send('{');
      expectTooManyRequests(malformed, 60);
      expect((await server.http().get('/api/user/me').set('X-Forwarded-For', newAddress())).status).toBe(401);
    });

    it('keeps a separate count on the keyserver', async () => {
      const here = newAddress();
      for (let i = 0; i < 40; i += 1)
        expect(
          (await keyserver.http().get(`/api/keys/${crypto.randomUUID()}`).set('X-Forwarded-For', here)).status,
        ).toBe(401);
      expectTooManyRequests(
        await keyserver.http().get(`/api/keys/${crypto.randomUUID()}`).set('X-Forwarded-For', here),
        60,
      );
      expect((await server.http().get('/api/user/me').set('X-Forwarded-For', here)).status).toBe(401);
    });
  });
});

describe('rate limits: windows end', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: '2/2s' });
  });
  afterAll(() => closeAll(server));

  it('serves the key again once Retry-After has passed', async () => {
    const user = await registerAndLogin(server.http);
    const ask = () => server.http().post('/api/user/access-token').set(bearer(user.sessionToken));
    for (let i = 0; i < 2; i += 1) await ask().expect(201);
    const refused = await ask().expect(429);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers['retry-after']) * 1000 + 100));
    await ask().expect(201);
  });
});

describe('rate limits: a login flood is queued, then refused with 503', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer({ LOGIN_HASH_CONCURRENCY: '1', LOGIN_HASH_QUEUE: '2' });
  });
  afterAll(() => closeAll(server));

  it('hashes one login at a time with 2 waiting; the rest answer 503 with Retry-After, and are not counted', async () => {
    const user = await registerAndLogin(server.http);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.http().post('/api/auth/login').send({ email: user.email, password: randomPassword() }),
      ),
    );
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(3);
    const busy = answers.filter((response) => response.status === 503);
    expect(busy).toHaveLength(5);
    for (const response of busy) {
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: anyString() });
    }
    await server.http().post('/api/auth/login').send(credentials(user)).expect(200);
  });
});

describe('rate limits: fail closed when the counters cannot be reached', () => {
  let server: RunningApp;
  beforeAll(async () => {
    // Nothing listens there: the counters are unreachable from the start.
    server = await startServer({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => closeAll(server));

  it('answers 503 with Retry-After, never an open door, and keeps API-key calls working', async () => {
    for (const request of [
      server.http().post('/api/auth/login').send({ email: uniqueEmail(), password: randomPassword() }),
      server.http().get('/api/user/me'),
    ]) {
      const response = await request;
      expect(response.status).toBe(503);
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(response.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: stringMatching(/rate limits/i),
      });
    }
    // Exempt from the per-address ceiling, the keyserver's validate call needs no counter.
    const validate = await server
      .http()
      .post('/keyserver/user/validate')
      .set(bearer(TEST_KEYSERVER_API_KEY))
      .send({ userId: crypto.randomUUID(), accessToken: randomBytes(32).toString('base64url') });
    expect(validate.status).toBe(403);
  });
});
