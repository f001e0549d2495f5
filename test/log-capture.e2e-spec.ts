import { Logger, type LoggerService } from '@nestjs/common';
import { generateKeyPair, toBase64Url } from '@app/crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import {
  closeAll,
  type RunningApp,
  startKeyserver,
  startServer,
  TEST_KEYSERVER_API_KEY,
  TEST_STORAGE_KEY,
  TEST_VERIFIER_KEY,
} from './support/apps.js';
import {
  encryptedBlob,
  getAccessToken,
  openChallenge,
  passSessionChallenge,
  putPrivateKey,
  putPublicKey,
} from './support/client.js';
import { bearer, randomPassword, registerAndLogin, uniqueEmail } from './support/users.js';
import { forms } from './support/secret-forms.js';
import { bodyOf } from './support/body.js';

/** Everything written to a log: Nest's logger at every level, the console, and stdout/stderr. */
class LogCapture implements LoggerService {
  private readonly chunks: string[] = [];
  log = (...args: unknown[]) => this.push('log', args);
  error = (...args: unknown[]) => this.push('error', args);
  warn = (...args: unknown[]) => this.push('warn', args);
  debug = (...args: unknown[]) => this.push('debug', args);
  verbose = (...args: unknown[]) => this.push('verbose', args);
  fatal = (...args: unknown[]) => this.push('fatal', args);

  push(level: string, args: unknown[]): void {
    this.chunks.push(
      `[${level}] ${args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' ')}`,
    );
  }

  text(): string {
    return this.chunks.join('\n');
  }

  /** Installs itself as Nest's logger for good (an app's `logger` option only picks it, never replaces it), and takes the console and the standard streams. */
  install(): void {
    const override = Logger.overrideLogger.bind(Logger);
    override(this);
    vi.spyOn(Logger, 'overrideLogger').mockImplementation(() => {
      override(this);
    });
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => this.push(`console.${method}`, args));
    }
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        this.push(stream === process.stdout ? 'stdout' : 'stderr', [
          Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk),
        ]);
        return true;
      });
    }
  }
}

function expectRefused(response: { status: number }): void {
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
}

const MALFORMED_JSON_SECRET = `malformed-${randomPassword()}`;

describe('logs, over every flow including failures', () => {
  const capture = new LogCapture();
  /** What must never be logged, by name (for the failure message). */
  const secrets = new Map<string, string | Uint8Array>([
    ['keyserver API key', TEST_KEYSERVER_API_KEY],
    ['storage key', TEST_STORAGE_KEY.key],
    ['verifier key', TEST_VERIFIER_KEY.key],
    ['secret in malformed JSON', MALFORMED_JSON_SECRET],
  ]);
  const keep = (name: string, value: string | Uint8Array) => secrets.set(`${name} #${secrets.size}`, value);
  let server: RunningApp;
  let keyserver: RunningApp;
  /** A pair without rate limits, whose databases go away: the 500s (with limits on, the lost counters answer 503 first). */
  let plainServer: RunningApp;
  let plainKeyserver: RunningApp;

  beforeAll(async () => {
    capture.install();
    // Every level: pino's request lines too, written to stdout.
    const LOG_LEVEL = 'trace';
    server = await startServer({ RATE_LIMIT_LOGIN_PER_EMAIL_AND_ADDRESS: '3/15m', LOG_LEVEL });
    keyserver = await startKeyserver(server.url, { LOG_LEVEL });
    plainServer = await startServer({ RATE_LIMITS: 'off', LOG_LEVEL });
    plainKeyserver = await startKeyserver(plainServer.url, { RATE_LIMITS: 'off', LOG_LEVEL });

    // Register, twice; log in wrong, then right.
    const user = await registerAndLogin(server.http);
    keep('login secret (password)', user.password);
    keep('session token', user.sessionToken);
    await server.http().post('/api/auth/register').send({ email: user.email, password: user.password }).expect(409);
    const wrongPassword = randomPassword();
    keep('wrong login secret', wrongPassword);
    await server.http().post('/api/auth/login').send({ email: user.email, password: wrongPassword }).expect(401);
    await server.http().post('/api/auth/login').send({ email: uniqueEmail(), password: wrongPassword }).expect(401);
    await server.http().get('/api/user/me').set(bearer(user.sessionToken)).expect(200);

    // Create a key pair: public key, access token, blob, challenge (a wrong answer first).
    const keys = await generateKeyPair();
    keep('private key', keys.privateKeyPkcs8);
    await putPublicKey(server, user, keys.publicKey).expect(200);
    const accessToken = await getAccessToken(server, user);
    keep('access token', accessToken);
    const blob = await encryptedBlob(user, keys);
    keep('encryptedPrivateKey', blob.encryptedPrivateKey);
    keep('iv', blob.iv);
    keep('salt', blob.salt);
    await putPrivateKey(keyserver, user.userId, accessToken, blob).expect(201);
    // The same token again: spent.
    expectRefused(await putPrivateKey(keyserver, user.userId, accessToken, blob));
    const wrong = await openChallenge(server, user.sessionToken, keys);
    const wrongAnswer = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    keep('opened challenge', wrong.token);
    keep('wrong challenge answer', wrongAnswer);
    expectRefused(
      await server
        .http()
        .post('/api/user/session-challenge/answer')
        .set(bearer(user.sessionToken))
        .send({ ...wrong, token: wrongAnswer }),
    );
    await passSessionChallenge(server, user.sessionToken, keys);

    // A second session gets the blob back through the keyserver.
    const second = bodyOf<ServerApi.LoginResponse>(
      await server.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(200),
    );
    keep('second session token', second.sessionToken);
    keep('device token', second.deviceToken);
    // This device's token, sent back: a third session, and the device token that replaces it.
    const third = bodyOf<ServerApi.LoginResponse>(
      await server
        .http()
        .post('/api/auth/login')
        .send({ email: user.email, password: user.password, deviceToken: second.deviceToken })
        .expect(200),
    );
    keep('third session token', third.sessionToken);
    keep('replacing device token', third.deviceToken);
    const readToken = await getAccessToken(server, { ...user, sessionToken: second.sessionToken });
    keep('read access token', readToken);
    const read = await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(readToken)).expect(200);
    expect(bodyOf<KeyserverApi.EncryptedPrivateKeyResponse>(read).encryptedPrivateKey).toBe(blob.encryptedPrivateKey);
    expectRefused(await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(readToken)));
    // The validate call itself: a wrong API key, then the right one with a made-up token.
    const madeUpToken = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    keep('made-up access token', madeUpToken);
    const wrongApiKey = randomPassword();
    keep('wrong API key', wrongApiKey);
    await server
      .http()
      .post('/keyserver/user/validate')
      .set(bearer(wrongApiKey))
      .send({ userId: user.userId, accessToken: madeUpToken })
      .expect(401);
    await server
      .http()
      .post('/keyserver/user/validate')
      .set(bearer(TEST_KEYSERVER_API_KEY))
      .send({ userId: user.userId, accessToken: madeUpToken })
      .expect(403);
    expectRefused(await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(madeUpToken)));

    // Malformed and invalid bodies carrying a secret, on both services.
    for (const [app, path] of [
      [server, '/api/auth/login'],
      [keyserver, `/api/keys/${user.userId}`],
    ] as const) {
      await app
        .http()
        .post(path)
        .set('Content-Type', 'application/json')
        .send(`{"password": "${MALFORMED_JSON_SECRET}`)
        .expect(400);
      await app
        .http()
        .post(path)
        .set('Content-Type', 'application/json')
        .send(`{"password": ${MALFORMED_JSON_SECRET}}`)
        .expect(400);
    }
    await server.http().post('/api/auth/login').send({ email: 5, password: MALFORMED_JSON_SECRET }).expect(400);

    // Logout, then the session is gone.
    expect((await server.http().post('/api/auth/logout').set(bearer(second.sessionToken))).status).toBeLessThan(300);
    await server.http().get('/api/user/me').set(bearer(second.sessionToken)).expect(401);

    // A password change: staged (a new blob), a commit with a wrong password, the commit, then applied.
    const newPassword = randomPassword();
    keep('new login secret', newPassword);
    const changed = await encryptedBlob({ ...user, password: newPassword }, keys);
    keep('staged encryptedPrivateKey', changed.encryptedPrivateKey);
    keep('staged iv', changed.iv);
    keep('staged salt', changed.salt);
    const stageToken = await getAccessToken(server, user);
    keep('stage access token', stageToken);
    const staged = bodyOf<KeyserverApi.StagedKeyChangeResponse>(
      await keyserver
        .http()
        .post(`/api/keys/${user.userId}/key-changes`)
        .set(bearer(stageToken))
        .send({ ...changed, baseVersion: 1 })
        .expect(201),
    );
    keep('key-change receipt', staged.receipt);
    const commit = { keyChangeId: staged.keyChangeId, baseVersion: 1, receipt: staged.receipt };
    await server
      .http()
      .post('/api/user/key-change')
      .set(bearer(user.sessionToken))
      .send({ ...commit, currentPassword: wrongPassword, newPassword })
      .expect(403);
    await server
      .http()
      .post('/api/user/key-change')
      .set(bearer(user.sessionToken))
      .send({ ...commit, currentPassword: user.password, newPassword })
      .expect(200);
    const applyToken = await getAccessToken(server, user);
    keep('apply access token', applyToken);
    await keyserver
      .http()
      .post(`/api/keys/${user.userId}/key-changes/${commit.keyChangeId}/apply`)
      .set(bearer(applyToken))
      .expect(200);
    // The owner is back with the new password: the failed commit's count at this address starts again.
    await server.http().post('/api/auth/login').send({ email: user.email, password: newPassword }).expect(200);

    // A rate limit tripped with the right secret in the request: 429.
    for (let i = 0; i < 3; i += 1) {
      const guess = randomPassword();
      keep('guessed login secret', guess);
      await server.http().post('/api/auth/login').send({ email: user.email, password: guess }).expect(401);
    }
    await server.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(429);

    // The counters' store goes away (the keyserver's database): 503, logged without the request's secrets.
    const outageToken = await getAccessToken(server, user);
    keep('access token at the outage', outageToken);
    await keyserver.app.get(DataSource).destroy();
    await keyserver.http().get(`/api/keys/${user.userId}`).set(bearer(outageToken)).expect(503);

    // A 500 on each service, with secrets in the request: their databases go away.
    const plainUser = await registerAndLogin(plainServer.http);
    keep('login secret at the 500', plainUser.password);
    keep('session token at the 500', plainUser.sessionToken);
    const lastToken = await getAccessToken(plainServer, plainUser);
    keep('access token at the 500', lastToken);
    await plainKeyserver.app.get(DataSource).destroy();
    await plainKeyserver.http().get(`/api/keys/${plainUser.userId}`).set(bearer(lastToken)).expect(500);
    await plainServer.app.get(DataSource).destroy();
    await plainServer
      .http()
      .post('/api/auth/login')
      .send({ email: plainUser.email, password: plainUser.password })
      .expect(500);
    await plainServer.http().get('/api/user/me').set(bearer(plainUser.sessionToken)).expect(500);
  });

  afterAll(async () => {
    await closeAll(plainKeyserver, plainServer, keyserver, server);
    vi.restoreAllMocks();
  });

  it('captured the logs (startup at every level, the counter outage, and the 500s)', () => {
    const text = capture.text();
    expect(text).toMatch(/\[error\] The rate-limit counters in the database cannot be reached/);
    expect(text).toMatch(/\[log\] .*Mapped \{\/api\/auth\/login, POST\}/);
    expect(text).toMatch(/\[error\] Unhandled error in request [\w-]+: GET \/api\/keys\//);
    expect(text).toMatch(/\[error\] Unhandled error in request [\w-]+: POST \/api\/auth\/login/);
    // pino's request lines, the validate calls and the 500s among them.
    expect(text).toMatch(/\[stdout\] \{.*"route":"\/keyserver\/user\/validate","statusCode":403/);
    expect(text).toMatch(/\[stdout\] \{.*"msg":"request failed"/);
  });

  it('holds no token, session, device token, login secret, password, blob, storage or verifier key, or API key, in any form', () => {
    const text = capture.text();
    const found = [...secrets].flatMap(([name, secret]) =>
      forms(secret)
        .filter((form) => text.includes(form))
        .map(
          (form) =>
            `${name} as ${form}: ...${text.slice(Math.max(0, text.indexOf(form) - 80), text.indexOf(form) + form.length + 20)}...`,
        ),
    );
    expect(found).toEqual([]);
    expect(secrets.size).toBeGreaterThan(15);
  });
});
