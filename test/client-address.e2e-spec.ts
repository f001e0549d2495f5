import { randomBytes, randomUUID } from 'node:crypto';
import type supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startServer, TEST_KEYSERVER_API_KEY, type RunningApp } from './support/apps.js';
import { anyString } from './support/matchers.js';

/** Three requests an hour per counted address: the fourth shows whether the earlier ones were counted together. */
const CEILING = { RATE_LIMIT_REQUESTS_PER_ADDRESS: '3/1h' };
const WINDOW_SECONDS = 3600;

/** Each test counts from addresses of its own. */
let lastBlock = 0;
const newBlock = () => (lastBlock += 1);

/** A counted request, answered 401 without a session; from `forwardedFor` when given. */
const me = (app: RunningApp, forwardedFor?: string): supertest.Test => {
  const request = app.http().get('/api/user/me');
  return forwardedFor === undefined ? request : request.set('X-Forwarded-For', forwardedFor);
};

/** The keyserver's validate call, with the given bearer credential, for a token the server never issued. */
const validate = (app: RunningApp, apiKey: string, forwardedFor: string): supertest.Test =>
  app
    .http()
    .post('/keyserver/user/validate')
    .set('Authorization', `Bearer ${apiKey}`)
    .set('X-Forwarded-For', forwardedFor)
    .send({ userId: randomUUID(), accessToken: randomBytes(32).toString('base64url') });

/** The statuses of the requests, sent one after another (the counter is read in order). */
async function statuses(requests: Array<() => supertest.Test>): Promise<number[]> {
  const answers: number[] = [];
  for (const send of requests) answers.push((await send()).status);
  return answers;
}

function expectCeilingReached(response: supertest.Response): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: anyString() });
  expect(response.headers['retry-after']).toMatch(/^\d+$/);
  // The window began with the first of these requests, moments ago.
  expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(WINDOW_SECONDS - 60);
}

describe('the per-address ceiling without TRUST_PROXY: the socket address is counted, X-Forwarded-For ignored', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer(CEILING);
  });
  afterAll(() => closeAll(server));

  it('counts requests naming different forwarded addresses together', async () => {
    const block = newBlock();
    const forwarded = [`198.51.100.${block}`, `203.0.113.${block}`, '2001:db8::1'];
    expect(await statuses(forwarded.map((address) => () => me(server, address)))).toEqual([401, 401, 401]);
    expectCeilingReached(await me(server, `192.0.2.${block}`));
    expectCeilingReached(await me(server));
  });
});

describe.each(['1', '127.0.0.1/32'])(
  'the per-address ceiling with TRUST_PROXY=%s: the forwarded client address is counted',
  (trustProxy) => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await startServer({ ...CEILING, TRUST_PROXY: trustProxy });
    });
    afterAll(() => closeAll(server));

    it('counts different forwarded addresses apart', async () => {
      const [one, other] = [`198.51.100.${newBlock()}`, `198.51.100.${newBlock()}`];
      expect(await statuses([() => me(server, one), () => me(server, one), () => me(server, one)])).toEqual([
        401, 401, 401,
      ]);
      expectCeilingReached(await me(server, one));
      expect((await me(server, other)).status).toBe(401);
    });

    it('counts the address the proxy appended, whatever the client put before it', async () => {
      const client = `198.51.100.${newBlock()}`;
      const claimed = ['203.0.113.1', '203.0.113.2', '203.0.113.3'];
      expect(await statuses(claimed.map((spoofed) => () => me(server, `${spoofed}, ${client}`)))).toEqual([
        401, 401, 401,
      ]);
      expectCeilingReached(await me(server, `203.0.113.4, ${client}`));
    });

    it('counts an IPv4-mapped IPv6 address as the IPv4 address it is', async () => {
      const address = `198.51.100.${newBlock()}`;
      const mapped = `::ffff:${address}`;
      expect(await statuses([() => me(server, mapped), () => me(server, address), () => me(server, mapped)])).toEqual([
        401, 401, 401,
      ]);
      expectCeilingReached(await me(server, address));
      expectCeilingReached(await me(server, mapped));
    });

    it('counts IPv6 addresses in one /64 together, and another /64 apart', async () => {
      const prefix = `2001:db8:${newBlock().toString(16)}`;
      const inOne64 = [`${prefix}:1::1`, `${prefix}:1:abcd::2`, `${prefix}:0001:0:0:0:0003`];
      expect(await statuses(inOne64.map((address) => () => me(server, address)))).toEqual([401, 401, 401]);
      expectCeilingReached(await me(server, `${prefix}:1:ffff:ffff:ffff:fffe`));
      expect((await me(server, `${prefix}:2::1`)).status).toBe(401);
    });

    it('never counts /health and /metrics', async () => {
      const address = `198.51.100.${newBlock()}`;
      const probes = ['/health', '/health/ready', '/metrics'].flatMap((path) => Array.from({ length: 4 }, () => path));
      for (const path of probes)
        expect((await server.http().get(path).set('X-Forwarded-For', address)).status).not.toBe(429);
      // The counter is untouched: the three counted requests still fit, and the fourth does not.
      expect(await statuses([() => me(server, address), () => me(server, address), () => me(server, address)])).toEqual(
        [401, 401, 401],
      );
      expectCeilingReached(await me(server, address));
    });

    it("never counts the keyserver's validate calls made with the API key", async () => {
      const keyserverAddress = `198.51.100.${newBlock()}`;
      for (let i = 0; i < 5; i += 1)
        expect((await validate(server, TEST_KEYSERVER_API_KEY, keyserverAddress)).status).toBe(403);
      expect(
        await statuses([
          () => me(server, keyserverAddress),
          () => me(server, keyserverAddress),
          () => me(server, keyserverAddress),
        ]),
      ).toEqual([401, 401, 401]);
      expectCeilingReached(await me(server, keyserverAddress));
    });

    it('counts validate calls made with a wrong key', async () => {
      const address = `198.51.100.${newBlock()}`;
      const wrongKey = randomBytes(32).toString('base64url');
      expect(await statuses(Array.from({ length: 3 }, () => () => validate(server, wrongKey, address)))).toEqual([
        401, 401, 401,
      ]);
      expectCeilingReached(await validate(server, wrongKey, address));
      expectCeilingReached(await me(server, address));
    });
  },
);
