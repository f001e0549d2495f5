import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fingerprint,
  fromBase64Url,
  generateKeyPair,
  keyChangeReceiptKey,
  unwrapPrivateKey,
  verifyKeyChangeReceipt,
  type KdfParams,
} from '@app/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyserverApi, ServerApi } from '@app/api-client';
import { closeAll, type RunningApp, startKeyserver, startServer, TEST_KEYSERVER_API_KEY } from './support/apps.js';
import {
  createKeyPair,
  DEFAULT_KDF_PARAMS,
  encryptedBlob,
  FAST_KDF,
  getAccessToken,
  type KeyPair,
  passSessionChallenge,
  putPublicKey,
} from './support/client.js';
import { onPostgres } from './support/database.js';
import { bearer, login, randomPassword, registerAndLogin, type TestUser } from './support/users.js';
import { anyString, stringMatching } from './support/matchers.js';
import { bodyOf, errorOf } from './support/body.js';

/** A user whose key pair is created and confirmed (the session secured), with the keys kept. */
interface Owner extends TestUser {
  keys: KeyPair;
  fingerprint: string;
}

/** The calls of the two-phase key change, against a given pair of services. */
function keyChanges(services: () => { server: RunningApp; keyserver: RunningApp }) {
  const token = (user: TestUser) => getAccessToken(services().server, user);
  return {
    async owner(): Promise<Owner> {
      const user = await registerAndLogin(services().server.http);
      const keys = await createKeyPair(services().server, services().keyserver, user);
      return { ...user, keys, fingerprint: await fingerprint(keys.publicKey) };
    },
    /** The owner's private key wrapped under `password` (the same key, wrapped anew). */
    async wrappedFor(owner: Owner, password: string, kdf: KdfParams = FAST_KDF) {
      return encryptedBlob({ ...owner, password }, owner.keys, kdf);
    },
    async stage(user: TestUser, body: object) {
      return services()
        .keyserver.http()
        .post(`/api/keys/${user.userId}/key-changes`)
        .set(bearer(await token(user)))
        .send(body);
    },
    commit(user: TestUser, body: object) {
      return services().server.http().post('/api/user/key-change').set(bearer(user.sessionToken)).send(body);
    },
    async apply(user: TestUser, keyChangeId: string) {
      return services()
        .keyserver.http()
        .post(`/api/keys/${user.userId}/key-changes/${keyChangeId}/apply`)
        .set(bearer(await token(user)));
    },
    async abandon(user: TestUser, keyChangeId: string) {
      return services()
        .keyserver.http()
        .delete(`/api/keys/${user.userId}/key-changes/${keyChangeId}`)
        .set(bearer(await token(user)));
    },
    async fetch(user: TestUser) {
      return services()
        .keyserver.http()
        .get(`/api/keys/${user.userId}`)
        .set(bearer(await token(user)));
    },
    loginWith(user: TestUser, password: string) {
      return services().server.http().post('/api/auth/login').send({ email: user.email, password });
    },
    async keyEvents(user: TestUser): Promise<string[]> {
      const response = await services()
        .keyserver.http()
        .get(`/api/keys/${user.userId}/events`)
        .set(bearer(await token(user)));
      expect(response.status).toBe(200);
      return bodyOf<KeyserverApi.EventsPage>(response).items.map((item) => item.type);
    },
    async serverEvents(user: TestUser): Promise<string[]> {
      const response = await services().server.http().get('/api/user/events').set(bearer(user.sessionToken));
      expect(response.status).toBe(200);
      return bodyOf<ServerApi.EventsPage>(response).items.map((item) => item.type);
    },
  };
}

/** A blob as the keyserver serves it. */
type ServedBlob = KeyserverApi.EncryptedPrivateKeyResponse;
/** What a served blob and a staged change both carry: a private key wrapped under a password. */
type WrappedKey = Pick<KeyserverApi.PendingKeyChange, 'encryptedPrivateKey' | 'iv' | 'salt' | 'kdf'>;

/** Whether a served blob (or staged change) opens with `password` to the owner's key. */
async function opensWith(owner: Owner, blob: WrappedKey, password: string): Promise<boolean> {
  try {
    const keys = await unwrapPrivateKey({
      encryptedPrivateKey: fromBase64Url(blob.encryptedPrivateKey),
      iv: fromBase64Url(blob.iv),
      salt: fromBase64Url(blob.salt),
      kdf: blob.kdf,
      password,
      userId: owner.userId,
      publicKeyFingerprint: owner.fingerprint,
    });
    return (await fingerprint(keys.publicKey)) === owner.fingerprint;
  } catch {
    return false;
  }
}

describe('two-phase key changes: stage (keyserver), commit (server), apply (keyserver)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  const kc = keyChanges(() => ({ server, keyserver }));
  beforeAll(async () => {
    server = await startServer();
    keyserver = await startKeyserver(server.url);
  });
  afterAll(() => closeAll(keyserver, server));

  /** Stages the owner's key wrapped under `password` on version `baseVersion`: the keyserver's answer. */
  async function staged(owner: Owner, password: string, baseVersion = 1, kdf: KdfParams = FAST_KDF) {
    const response = await kc.stage(owner, { ...(await kc.wrappedFor(owner, password, kdf)), baseVersion });
    expect(response.status).toBe(201);
    return response.body as { keyChangeId: string; baseVersion: number; createdAt: string; receipt: string };
  }

  const commitBody = (
    change: { keyChangeId: string; baseVersion: number; receipt: string },
    currentPassword: string,
    newPassword?: string,
  ) => ({
    keyChangeId: change.keyChangeId,
    baseVersion: change.baseVersion,
    receipt: change.receipt,
    currentPassword,
    ...(newPassword === undefined ? {} : { newPassword }),
  });

  it('stages a change with a receipt the server can check, and GET lists it as pending with its blob', async () => {
    const owner = await kc.owner();
    const newPassword = randomPassword();
    const change = await staged(owner, newPassword);
    expect(change).toEqual({
      keyChangeId: stringMatching(/^[0-9a-f-]{36}$/),
      baseVersion: 1,
      createdAt: anyString(),
      receipt: stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const receiptKey = await keyChangeReceiptKey(TEST_KEYSERVER_API_KEY);
    expect(
      await verifyKeyChangeReceipt(
        receiptKey,
        { userId: owner.userId, keyChangeId: change.keyChangeId, baseVersion: 1 },
        fromBase64Url(change.receipt),
      ),
    ).toBe(true);
    expect(
      await verifyKeyChangeReceipt(
        receiptKey,
        { userId: owner.userId, keyChangeId: change.keyChangeId, baseVersion: 2 },
        fromBase64Url(change.receipt),
      ),
    ).toBe(false);

    const blob = bodyOf<ServedBlob>(await kc.fetch(owner));
    expect(blob.version).toBe(1);
    expect(await opensWith(owner, blob, owner.password)).toBe(true);
    expect(blob.pendingChanges).toHaveLength(1);
    const [pending] = blob.pendingChanges;
    expect(pending).toMatchObject({
      keyChangeId: change.keyChangeId,
      baseVersion: 1,
      createdAt: change.createdAt,
      publicKeyFingerprint: owner.fingerprint,
      kdf: FAST_KDF,
    });
    expect(await opensWith(owner, pending, newPassword)).toBe(true);
    expect(await kc.keyEvents(owner)).toEqual(['key.fetched', 'key-change.staged', 'key.stored']);
  });

  it('refuses to stage: 403 from a session not secured, 409 for a pending key, another key, a stale version, or a sixth change', async () => {
    const owner = await kc.owner();
    const body = { ...(await kc.wrappedFor(owner, randomPassword())), baseVersion: 1 };
    const unsecured = { ...owner, sessionToken: await login(server.http, owner) };
    const refused = await kc.stage(unsecured, body);
    expect(refused.status).toBe(403);
    expect(errorOf(refused).message).toMatch(/secured session/);

    expect((await kc.stage(owner, { ...body, baseVersion: 2 })).body).toMatchObject({
      statusCode: 409,
      message: stringMatching(/baseVersion/),
    });
    const other = await kc.owner();
    const otherKey = await kc.stage(owner, { ...(await kc.wrappedFor(other, randomPassword())), baseVersion: 1 });
    expect(otherKey.status).toBe(409);
    expect(errorOf(otherKey).message).toMatch(/publicKeyFingerprint/);

    for (let i = 0; i < 5; i += 1) expect((await kc.stage(owner, body)).status).toBe(201);
    const sixth = await kc.stage(owner, body);
    expect(sixth.status).toBe(409);
    expect(errorOf(sixth).message).toMatch(/5 staged key changes/);

    // A key confirmed on the server whose blob this keyserver never stored: nothing to change.
    const blobless = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, blobless, keys.publicKey).expect(200);
    await passSessionChallenge(server, blobless.sessionToken, keys);
    const nothing = await kc.stage(blobless, { ...(await encryptedBlob(blobless, keys)), baseVersion: 1 });
    expect(nothing.status).toBe(409);
    expect(errorOf(nothing).message).toMatch(/No encrypted private key/);
  });

  it('answers 400 to a malformed stage without spending the token', async () => {
    const owner = await kc.owner();
    const body = { ...(await kc.wrappedFor(owner, randomPassword())), baseVersion: 1 };
    const accessToken = await getAccessToken(server, owner);
    const post = (payload: object) =>
      keyserver.http().post(`/api/keys/${owner.userId}/key-changes`).set(bearer(accessToken)).send(payload);
    for (const bad of [
      { ...body, baseVersion: 0 },
      { ...body, baseVersion: 1.5 },
      { ...body, baseVersion: '1' },
      { ...body, baseVersion: undefined },
      { ...body, iv: 'short' },
    ]) {
      const response = await post(bad);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    expect((await post(body)).status).toBe(201);
  });

  it('commits with a new password: keyVersion 2, the old password refused, other sessions ended, the next keyserver request applies it', async () => {
    const owner = await kc.owner();
    const other = await login(server.http, owner);
    const newPassword = randomPassword();
    const change = await staged(owner, newPassword);

    const committed = await kc.commit(owner, commitBody(change, owner.password, newPassword));
    expect(committed.status).toBe(200);
    expect(committed.body).toEqual({ keyChangeId: change.keyChangeId, keyVersion: 2, committedAt: anyString() });

    expect((await kc.loginWith(owner, owner.password)).status).toBe(401);
    expect((await kc.loginWith(owner, newPassword)).status).toBe(200);
    await server.http().get('/api/user/me').set(bearer(other)).expect(401);
    await server.http().get('/api/user/me').set(bearer(owner.sessionToken)).expect(200);

    const blob = bodyOf<ServedBlob>(await kc.fetch(owner));
    expect(blob).toMatchObject({ version: 2, pendingChanges: [] });
    expect(await opensWith(owner, blob, newPassword)).toBe(true);
    expect(await opensWith(owner, blob, owner.password)).toBe(false);
    expect((await kc.apply(owner, change.keyChangeId)).body).toEqual({ version: 2 });
    expect(await kc.keyEvents(owner)).toEqual(['key.fetched', 'key-change.applied', 'key-change.staged', 'key.stored']);
    const changes = (await kc.serverEvents(owner)).filter((type) => !type.startsWith('login.'));
    expect(changes.slice(0, 2)).toEqual(['key-change.committed', 'session.ended']);
  });

  it('upgrades the KDF without a new password: the same password stays, no session ends', async () => {
    const owner = await kc.owner();
    const other = await login(server.http, owner);
    const change = await staged(owner, owner.password, 1, DEFAULT_KDF_PARAMS);
    expect((await kc.commit(owner, commitBody(change, owner.password))).status).toBe(200);
    await server.http().get('/api/user/me').set(bearer(other)).expect(200);
    expect((await kc.loginWith(owner, owner.password)).status).toBe(200);
    const blob = bodyOf<ServedBlob>(await kc.fetch(owner));
    expect(blob).toMatchObject({ version: 2, kdf: DEFAULT_KDF_PARAMS });
    expect(await opensWith(owner, blob, owner.password)).toBe(true);
  });

  it('checks a commit in order: 400 (body, receipt), then 409 (version), then 403 (password, the session stays)', async () => {
    const owner = await kc.owner();
    const change = await staged(owner, randomPassword());
    const wrong = randomPassword();
    // A receipt for another version, a tampered one: 400, even with a wrong password.
    expect((await kc.commit(owner, { ...commitBody(change, wrong), baseVersion: 2 })).status).toBe(400);
    const tampered = Buffer.from(change.receipt, 'base64url');
    tampered[0] ^= 1;
    const bad = await kc.commit(owner, { ...commitBody(change, wrong), receipt: tampered.toString('base64url') });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).message).toMatch(/receipt/);
    for (const malformed of [
      {},
      { ...commitBody(change, owner.password), keyChangeId: 'nope' },
      { ...commitBody(change, owner.password), currentPassword: 'short' },
      { ...commitBody(change, owner.password), newPassword: '' },
    ]) {
      expect((await kc.commit(owner, malformed)).status).toBe(400);
    }
    // Another user's receipt does not verify for this user.
    const stranger = await kc.owner();
    expect((await kc.commit(stranger, commitBody(change, stranger.password))).status).toBe(400);

    const denied = await kc.commit(owner, commitBody(change, wrong, randomPassword()));
    expect(denied.status).toBe(403);
    expect(errorOf(denied).message).toMatch(/current password is wrong/);
    await server.http().get('/api/user/me').set(bearer(owner.sessionToken)).expect(200);
    expect((await kc.loginWith(owner, owner.password)).status).toBe(200);
    // Nothing was committed: the keyserver still serves version 1 with the change pending.
    expect((await kc.fetch(owner)).body).toMatchObject({
      version: 1,
      pendingChanges: [{ keyChangeId: change.keyChangeId }],
    });
  });

  it('answers a lost answer again to the committing session, and 409 to another session, a stale version or a second change', async () => {
    const owner = await kc.owner();
    const newPassword = randomPassword();
    const change = await staged(owner, newPassword);
    const first = await kc.commit(owner, commitBody(change, owner.password, newPassword));
    expect(first.status).toBe(200);
    // The retry checks no password: the one it carries is no longer the current one.
    const retry = await kc.commit(owner, commitBody(change, owner.password, newPassword));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);

    const otherSession = { ...owner, sessionToken: await login(server.http, { ...owner, password: newPassword }) };
    await passSessionChallenge(server, otherSession.sessionToken, owner.keys);
    const elsewhere = await kc.commit(otherSession, commitBody(change, newPassword));
    expect(elsewhere.status).toBe(409);
    expect(errorOf(elsewhere).message).toMatch(/another session/);
  });

  it('answers 409 to a change staged on a version that another commit has moved past', async () => {
    const owner = await kc.owner();
    const [first, second] = [await staged(owner, randomPassword()), await staged(owner, randomPassword())];
    await kc.commit(owner, commitBody(first, owner.password)).expect(200);
    const stale = await kc.commit(owner, commitBody(second, owner.password));
    expect(stale.status).toBe(409);
    expect(errorOf(stale).message).toMatch(/baseVersion is not your key's current version \(2\)/);
    // Nor can it be staged again on version 1: the keyserver is at 2 now.
    expect((await kc.stage(owner, { ...(await kc.wrappedFor(owner, owner.password)), baseVersion: 1 })).status).toBe(
      409,
    );
    expect((await staged(owner, randomPassword(), 2)).baseVersion).toBe(2);
  });

  it('lets two devices race: exactly one commit wins, and the winner’s password opens the key', async () => {
    const owner = await kc.owner();
    const secondDevice = { ...owner, sessionToken: await login(server.http, owner) };
    await passSessionChallenge(server, secondDevice.sessionToken, owner.keys);
    const [passwordA, passwordB] = [randomPassword(), randomPassword()];
    const [changeA, changeB] = [await staged(owner, passwordA), await staged(secondDevice, passwordB)];
    const [a, b] = await Promise.all([
      kc.commit(owner, commitBody(changeA, owner.password, passwordA)),
      kc.commit(secondDevice, commitBody(changeB, owner.password, passwordB)),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, winnerPassword, loserPassword] =
      a.status === 200 ? [owner, passwordA, passwordB] : [secondDevice, passwordB, passwordA];
    expect((await kc.loginWith(owner, winnerPassword)).status).toBe(200);
    expect((await kc.loginWith(owner, loserPassword)).status).toBe(401);
    const blob = bodyOf<ServedBlob>(await kc.fetch(winner));
    // The loser's change was staged on the same version: it went when the winner's was applied.
    expect(blob).toMatchObject({ version: 2, pendingChanges: [] });
    expect(await opensWith(owner, blob, winnerPassword)).toBe(true);
  });

  it('applies on request: 404 unknown, 409 not committed, 200 with the version once committed', async () => {
    const owner = await kc.owner();
    const change = await staged(owner, randomPassword());
    const unknown = await kc.apply(owner, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const early = await kc.apply(owner, change.keyChangeId);
    expect(early.status).toBe(409);
    expect(errorOf(early).message).toMatch(/not committed/);
    expect((await kc.apply(owner, 'not-a-uuid')).status).toBe(400);
    expect((await kc.abandon(owner, 'not-a-uuid')).status).toBe(400);
    await kc.commit(owner, commitBody(change, owner.password)).expect(200);
    expect((await kc.apply(owner, change.keyChangeId)).body).toEqual({ version: 2 });
    expect((await kc.apply(owner, change.keyChangeId)).body).toEqual({ version: 2 });
  });

  it('abandons a staged change: 204, gone from GET, and the server will never commit it', async () => {
    const owner = await kc.owner();
    const change = await staged(owner, randomPassword());
    expect((await kc.abandon(owner, change.keyChangeId)).status).toBe(204);
    expect(bodyOf<ServedBlob>(await kc.fetch(owner)).pendingChanges).toEqual([]);
    const commit = await kc.commit(owner, commitBody(change, owner.password));
    expect(commit.status).toBe(409);
    expect(errorOf(commit).message).toMatch(/abandoned/);
    expect((await kc.abandon(owner, change.keyChangeId)).status).toBe(404);
    expect(await kc.keyEvents(owner)).toEqual([
      'key.fetched',
      'key-change.abandoned',
      'key-change.staged',
      'key.stored',
    ]);
    expect((await kc.serverEvents(owner))[0]).toBe('key-change.abandoned');
  });

  it('refuses to abandon from a session not secured (recording nothing), and answers 409 for a committed change, now current', async () => {
    const owner = await kc.owner();
    const newPassword = randomPassword();
    const change = await staged(owner, newPassword);
    const unsecured = { ...owner, sessionToken: await login(server.http, owner) };
    expect((await kc.abandon(unsecured, change.keyChangeId)).status).toBe(403);
    // Nothing was recorded on the server: the change can still be committed.
    await kc.commit(owner, commitBody(change, owner.password, newPassword)).expect(200);
    const late = await kc.abandon(owner, change.keyChangeId);
    expect(late.status).toBe(409);
    expect(errorOf(late).message).toMatch(/committed and is now current/);
    const blob = bodyOf<ServedBlob>(await kc.fetch(owner));
    expect(blob.version).toBe(2);
    expect(await opensWith(owner, blob, newPassword)).toBe(true);
  });
});

describe('key changes: what the current password costs, and what leaving takes with it', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  const kc = keyChanges(() => ({ server, keyserver }));
  beforeAll(async () => {
    // Two failed logins an hour per email: a commit's wrong password is one.
    server = await startServer({ RATE_LIMIT_LOGIN_PER_EMAIL: '2/1h' });
    keyserver = await startKeyserver(server.url);
  });
  afterAll(() => closeAll(keyserver, server));

  it('counts a wrong current password as a failed login: past the email’s limit, a commit answers 429 like a login', async () => {
    const owner = await kc.owner();
    const change = bodyOf<KeyserverApi.StagedKeyChangeResponse>(
      await kc.stage(owner, { ...(await kc.wrappedFor(owner, randomPassword())), baseVersion: 1 }),
    );
    const body = (currentPassword: string) => ({
      keyChangeId: change.keyChangeId,
      baseVersion: 1,
      receipt: change.receipt,
      currentPassword,
    });
    await kc.commit(owner, body(randomPassword())).expect(403);
    await kc.commit(owner, body(randomPassword())).expect(403);
    const limited = await kc.commit(owner, body(owner.password));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await kc.loginWith(owner, owner.password)).status).toBe(429);
    // Nothing was committed.
    expect((await kc.fetch(owner)).body).toMatchObject({
      version: 1,
      pendingChanges: [{ keyChangeId: change.keyChangeId }],
    });
  });

  it('deletes the staged changes with the key (deletePrivateKey), so none can be applied afterwards', async () => {
    const owner = await kc.owner();
    const change = bodyOf<KeyserverApi.StagedKeyChangeResponse>(
      await kc.stage(owner, { ...(await kc.wrappedFor(owner, randomPassword())), baseVersion: 1 }),
    );
    const deleted = await keyserver
      .http()
      .delete(`/api/keys/${owner.userId}`)
      .set(bearer(await getAccessToken(server, owner)));
    expect(deleted.status).toBe(204);
    expect((await kc.fetch(owner)).status).toBe(404);
    expect((await kc.apply(owner, change.keyChangeId)).status).toBe(404);
    expect((await kc.abandon(owner, change.keyChangeId)).status).toBe(404);
  });
});

/**
 * The guarantee: at every moment, every password the server accepts opens a
 * blob the keyserver serves. Each cut point (after stage, after commit, after
 * apply) is reached, then the client stops there, or the server or keyserver
 * is stopped and started again on its data; a new device then logs in with
 * whichever password the server accepts and decrypts what it is served.
 */
describe('key changes survive every cut point', () => {
  /** On PGlite a restart keeps the data only in a folder (made when the tests run, not when they are listed). */
  let dataRoot: string | undefined;
  const dataDir = (service: string): Record<string, string> => (dataRoot ? { DATA_DIR: join(dataRoot, service) } : {});
  let server: RunningApp;
  let keyserver: RunningApp;
  const kc = keyChanges(() => ({ server, keyserver }));
  beforeAll(async () => {
    dataRoot = onPostgres ? undefined : mkdtempSync(join(tmpdir(), 'kx-key-changes-'));
    server = await startServer(dataDir('server'));
    keyserver = await startKeyserver(server.url, dataDir('keyserver'));
  });
  afterAll(async () => {
    await closeAll(keyserver, server);
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  type Cut = 'stage' | 'commit' | 'apply';
  type Stopped = 'client' | 'server' | 'keyserver';

  /** The passwords the server accepts now, of the two. */
  async function accepted(owner: Owner, passwords: string[]): Promise<string[]> {
    const answers = await Promise.all(passwords.map((password) => kc.loginWith(owner, password)));
    return passwords.filter((_, i) => answers[i].status === 200);
  }

  /** A new device: logs in with the password, fetches the blob, decrypts it and answers a challenge. */
  async function newDeviceUnlocks(owner: Owner, password: string): Promise<void> {
    const device = { ...owner, password, sessionToken: await login(server.http, { ...owner, password }) };
    const blob = bodyOf<ServedBlob>(await kc.fetch(device));
    expect(await opensWith(owner, blob, password)).toBe(true);
    await passSessionChallenge(server, device.sessionToken, owner.keys);
  }

  for (const cut of ['stage', 'commit', 'apply'] as Cut[]) {
    for (const stopped of ['client', 'server', 'keyserver'] as Stopped[]) {
      it(`after ${cut}, with the ${stopped} stopped there: every accepted password decrypts the served blob`, async () => {
        const owner = await kc.owner();
        const newPassword = randomPassword();
        const change = bodyOf<KeyserverApi.StagedKeyChangeResponse>(
          await kc.stage(owner, { ...(await kc.wrappedFor(owner, newPassword)), baseVersion: 1 }),
        );
        if (cut !== 'stage') {
          const { keyChangeId, baseVersion, receipt } = change;
          await kc
            .commit(owner, { keyChangeId, baseVersion, receipt, currentPassword: owner.password, newPassword })
            .expect(200);
        }
        if (cut === 'apply') expect((await kc.apply(owner, change.keyChangeId)).body).toEqual({ version: 2 });

        if (stopped === 'server') {
          server = await server.restart();
        } else if (stopped === 'keyserver') {
          keyserver = await keyserver.restart();
        }
        // The client is gone either way: nothing of the change is finished by it.
        const valid = await accepted(owner, [owner.password, newPassword]);
        expect(valid).toEqual(cut === 'stage' ? [owner.password] : [newPassword]);
        await newDeviceUnlocks(owner, valid[0]);
      });
    }
  }
});
