import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerApi } from '@app/api-client';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { createKeyPair, getAccessToken, openChallenge } from './support/client.js';
import { onPostgres } from './support/database.js';
import { bearer, login, registerAndLogin } from './support/users.js';
import { bodyOf } from './support/body.js';

/**
 * Two server instances and two keyservers on one PostgreSQL: single use and
 * lifetimes are the database's doing, so they hold across instances. Rate
 * limits are off: the rounds themselves would trip them.
 */
describe.skipIf(!onPostgres)('several instances on one PostgreSQL', () => {
  const off = { RATE_LIMITS: 'off' };
  let servers: RunningApp[];
  let keyservers: RunningApp[];
  beforeAll(async () => {
    const first = await startServer(off);
    servers = [first, await startServer({ ...off, DATABASE_URL: first.databaseUrl! })];
    const firstKeyserver = await startKeyserver(servers[0].url, off);
    keyservers = [
      firstKeyserver,
      await startKeyserver(servers[1].url, { ...off, DATABASE_URL: firstKeyserver.databaseUrl! }),
    ];
  });
  // The instances that share a database first: the owners drop it.
  afterAll(() => closeAll(keyservers[1], servers[1], keyservers[0], servers[0]));

  it('gives exactly one success to each of 1,000 access tokens raced from both keyservers', async () => {
    const user = await registerAndLogin(servers[0].http);
    await createKeyPair(servers[0], keyservers[0], user);
    let successes = 0;
    for (let round = 0; round < 1000; round += 1) {
      const accessToken = await getAccessToken(servers[round % 2], user);
      const answers = await Promise.all(
        keyservers.map((keyserver) => keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(accessToken))),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 403]);
      successes += 1;
    }
    expect(successes).toBe(1000);
  }, 600_000);

  it('takes exactly one answer to each of 200 challenges answered through both servers at once', async () => {
    const user = await registerAndLogin(servers[0].http);
    const keys = await createKeyPair(servers[0], keyservers[0], user);
    // A session not yet secured: the first round's winner secures it.
    const sessionToken = await login(servers[1].http, user);
    for (let round = 0; round < 200; round += 1) {
      const answer = await openChallenge(servers[round % 2], sessionToken, keys);
      const answers = await Promise.all(
        servers.map((server) =>
          server.http().post('/api/user/session-challenge/answer').set(bearer(sessionToken)).send(answer),
        ),
      );
      const secured = answers.filter(
        (response) =>
          response.status === 200 && bodyOf<ServerApi.SubmitSessionChallengeResponse>(response).secured === true,
      );
      expect(secured).toHaveLength(1);
      expect(answers.map((response) => response.status).sort()).toEqual([200, 403]);
    }
  }, 600_000);
});
