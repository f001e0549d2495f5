import { randomUUID } from 'node:crypto';
import type { ServerApi } from '@app/api-client';
import { DecryptionError, fromBase64Url, generateKeyPair, openEnvelope } from '@app/crypto';
import pg from 'pg';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startServer } from './support/apps.js';
import { onPostgres } from './support/database.js';
import { bodyOf, errorOf } from './support/body.js';
import { putPublicKey } from './support/client.js';
import { member, type Member, newSecret, openAs, sealVersion } from './support/secrets.js';
import { bearer, registerAndLogin } from './support/users.js';

type Conflict = ServerApi.SecretConflictResponse;

/**
 * Shared secrets through the public API (issue 12), with the client's side
 * done by libs/crypto as a client would: seal to each member's key, open
 * one's own envelope with the sender's key, check the commitment.
 */
describe('shared secrets', () => {
  let server: RunningApp;
  let alice: Member;
  let bob: Member;
  let carol: Member;
  let dave: Member;
  beforeAll(async () => {
    server = await startServer();
    [alice, bob, carol, dave] = await Promise.all([1, 2, 3, 4].map(() => member(server)));
  });
  afterAll(() => closeAll(server));

  const as = (who: Member) => ({
    get: (path: string) => server.http().get(path).set(bearer(who.sessionToken)),
    post: (path: string, body?: object) => server.http().post(path).set(bearer(who.sessionToken)).send(body),
    put: (path: string, body: object) => server.http().put(path).set(bearer(who.sessionToken)).send(body),
    delete: (path: string) => server.http().delete(path).set(bearer(who.sessionToken)),
  });
  const create = async (owner: Member, others: Member[]) => {
    const created = await newSecret(owner, others);
    await as(owner).post('/api/secrets', created.body).expect(201);
    return created;
  };
  /** An owner's rotation to the next version (2), sealed to `members`: the version sealed. */
  const rotate = async (owner: Member, secretId: string, members: Member[]) => {
    const next = await sealVersion(owner, secretId, 2, members);
    await as(owner)
      .post(`/api/secrets/${secretId}/versions`, { version: 2, commitment: next.commitment, envelopes: next.envelopes })
      .expect(200);
    return next;
  };
  const eventsOf = async (who: Member) =>
    bodyOf<ServerApi.EventsPage>(await as(who).get('/api/user/events').expect(200)).items.map((e) => e.type);
  /**
   * What another instance does at the same moment (PostgreSQL only): `hold`
   * runs in a transaction on a connection of its own; the request is sent,
   * and that transaction commits once the request waits for one of its locks.
   */
  async function committedWhileWaiting(
    hold: (other: pg.Client) => Promise<void>,
    request: () => Promise<Response>,
  ): Promise<Response> {
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await hold(other);
      const answer = request().then((response) => response);
      const waiting = async () =>
        (
          await other.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n;
      while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await other.query('COMMIT');
      return await answer;
    } finally {
      await other.end();
    }
  }

  it('three users create a secret, add a fourth, remove one, and the rest open the same current secret', async () => {
    const { secretId, secret, body } = await create(alice, [bob, carol]);
    expect(bodyOf(await as(alice).post('/api/secrets', body).expect(201))).toEqual({ secretId, version: 1 });
    for (const who of [alice, bob, carol]) {
      const opened = await openAs(server, who, secretId);
      expect(opened.secret).toEqual(secret);
      expect(opened.commitment).toBe(body.commitment);
    }

    // Alice adds Dave to version 1.
    const [daveEnvelope] = (await sealVersion(alice, secretId, 1, [dave], secret)).envelopes;
    expect(
      bodyOf(
        await as(alice)
          .post(`/api/secrets/${secretId}/members`, { version: 1, ...daveEnvelope })
          .expect(201),
      ),
    ).toEqual({
      secretId,
      version: 1,
    });
    expect((await openAs(server, dave, secretId)).secret).toEqual(secret);

    // Alice removes Carol: version 2, sealed to the other three only.
    const next = await sealVersion(alice, secretId, 2, [alice, bob, dave]);
    expect(next.secret).not.toEqual(secret);
    expect(
      bodyOf(
        await as(alice)
          .post(`/api/secrets/${secretId}/members/${carol.userId}/removal`, {
            version: 2,
            commitment: next.commitment,
            envelopes: next.envelopes,
          })
          .expect(200),
      ),
    ).toEqual({ secretId, version: 2 });
    for (const who of [alice, bob, dave]) {
      const opened = await openAs(server, who, secretId);
      expect(opened).toEqual({ secret: next.secret, commitment: next.commitment, version: 2 });
    }
    // Carol: nothing, at any version.
    await as(carol).get(`/api/secrets/${secretId}`).expect(404);
    await as(carol).get(`/api/secrets/${secretId}/versions/1`).expect(404);
    await as(carol).get(`/api/secrets/${secretId}/versions/2`).expect(404);
    // The others still read version 1, for data encrypted under it.
    expect((await openAs(server, bob, secretId, 1)).secret).toEqual(secret);

    const described = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
    expect(described).toMatchObject({
      secretId,
      name: 'Facility north',
      version: 2,
      versionCount: 2,
      rotationRequired: false,
    });
    expect(described.members).toEqual(
      [
        { userId: alice.userId, role: 'owner', keyFingerprint: alice.fingerprint },
        { userId: bob.userId, role: 'member', keyFingerprint: bob.fingerprint },
        { userId: dave.userId, role: 'member', keyFingerprint: dave.fingerprint },
      ].sort((a, b) => a.userId.localeCompare(b.userId)),
    );
    const listed = bodyOf<ServerApi.SecretsPage>(await as(dave).get('/api/secrets').expect(200));
    expect(listed.items).toContainEqual({
      secretId,
      name: 'Facility north',
      version: 2,
      role: 'member',
      memberCount: 3,
      rotationRequired: false,
    });

    expect(await eventsOf(alice)).toEqual(
      expect.arrayContaining(['secret.created', 'secret.member-added', 'secret.member-removed']),
    );
    expect(await eventsOf(carol)).toEqual(expect.arrayContaining(['secret.created', 'secret.member-removed']));
    expect(await eventsOf(dave)).toContain('secret.member-added');
  });

  it('refuses a version-1 envelope replayed to another member, or a version-1 envelope served as version 2', async () => {
    const { secretId, body } = await create(alice, [bob]);
    const answer = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
    const open = (change: { recipientId?: string; version?: number }) =>
      openEnvelope({
        secretId,
        version: 1,
        recipientId: bob.userId,
        envelope: { enc: fromBase64Url(answer.envelope.enc), ciphertext: fromBase64Url(answer.envelope.ciphertext) },
        commitment: body.commitment,
        recipient: bob.keyPair,
        senderPublicKey: alice.publicKey,
        ...change,
      });
    await expect(open({ recipientId: carol.userId })).rejects.toBeInstanceOf(DecryptionError);
    await expect(open({ version: 2 })).rejects.toBeInstanceOf(DecryptionError);
    await expect(open({})).resolves.toHaveLength(32);
  });

  describe('who may', () => {
    /** Every secret route with a well-formed body, as `who` would call it (null: no session). */
    async function everyRoute(token: string | null, secretId: string) {
      const next = await sealVersion(alice, secretId, 2, [alice, bob]);
      const version = { version: 2, commitment: next.commitment, envelopes: next.envelopes };
      const call = (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) => {
        const request = server.http()[method](path);
        if (token) request.set(bearer(token));
        return body ? request.send(body) : request;
      };
      return Promise.all([
        call('get', '/api/secrets'),
        call('post', '/api/secrets', (await newSecret(alice, [bob])).body),
        call('get', `/api/secrets/${secretId}`),
        call('get', `/api/secrets/${secretId}/versions/1`),
        call('post', `/api/secrets/${secretId}/members`, { version: 1, ...next.envelopes[1] }),
        call('post', `/api/secrets/${secretId}/members/${bob.userId}/removal`, version),
        call('post', `/api/secrets/${secretId}/versions`, version),
        call('post', `/api/secrets/${secretId}/leave`),
        call('delete', `/api/secrets/${secretId}`),
        call('put', `/api/secrets/${secretId}/members/${bob.userId}/role`, { role: 'owner' }),
      ]);
    }

    it('answers 401 without a session and 403 to a session not secured, on every route', async () => {
      const { secretId } = await create(alice, [bob]);
      const unsecured = await registerAndLogin(server.http);
      expect((await everyRoute(null, secretId)).map((r) => r.status)).toEqual(Array(10).fill(401));
      expect((await everyRoute(unsecured.sessionToken, secretId)).map((r) => r.status)).toEqual(Array(10).fill(403));
    });

    it('answers 404 to non-members, as for an unknown id, on every route', async () => {
      const { secretId } = await create(alice, [bob]);
      for (const id of [secretId, randomUUID()]) {
        const [list, , ...onTheSecret] = (await everyRoute(carol.sessionToken, id)).map((r) => r.status);
        expect(list).toBe(200); // without it
        expect(onTheSecret).toEqual(Array(8).fill(404));
      }
      expect(
        bodyOf<ServerApi.SecretsPage>(await as(carol).get('/api/secrets').expect(200)).items.map((i) => i.secretId),
      ).not.toContain(secretId);
    });

    it('answers 404 on every route to a member who left and to one who was removed', async () => {
      const { secretId } = await create(alice, [bob, carol, dave]);
      await as(carol).post(`/api/secrets/${secretId}/leave`).expect(204);
      const next = await sealVersion(alice, secretId, 2, [alice, bob]);
      await as(alice)
        .post(`/api/secrets/${secretId}/members/${dave.userId}/removal`, {
          version: 2,
          commitment: next.commitment,
          envelopes: next.envelopes,
        })
        .expect(200);
      for (const who of [carol, dave]) {
        const [, , ...onTheSecret] = (await everyRoute(who.sessionToken, secretId)).map((r) => r.status);
        expect(onTheSecret).toEqual(Array(8).fill(404));
      }
      const described = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
      expect(described).toMatchObject({ version: 2, rotationRequired: false });
      expect(described.members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    });

    it("answers 403 to a member on an owner's operation, and changes nothing", async () => {
      const { secretId } = await create(alice, [bob, carol]);
      const next = await sealVersion(bob, secretId, 2, [alice, bob, carol]);
      const version = { version: 2, commitment: next.commitment, envelopes: next.envelopes };
      const [daveEnvelope] = (await sealVersion(bob, secretId, 1, [dave])).envelopes;
      await as(bob)
        .post(`/api/secrets/${secretId}/members`, { version: 1, ...daveEnvelope })
        .expect(403);
      await as(bob).post(`/api/secrets/${secretId}/versions`, version).expect(403);
      await as(bob).post(`/api/secrets/${secretId}/members/${carol.userId}/removal`, version).expect(403);
      await as(bob).delete(`/api/secrets/${secretId}`).expect(403);
      await as(bob).put(`/api/secrets/${secretId}/members/${bob.userId}/role`, { role: 'owner' }).expect(403);
      const described = bodyOf<ServerApi.SecretResponse>(await as(alice).get(`/api/secrets/${secretId}`).expect(200));
      expect(described.version).toBe(1);
      expect(described.members).toHaveLength(3);
    });
  });

  describe('createSecret', () => {
    it.skipIf(!onPostgres)(
      'answers 409 with changedUserIds, not 500, when a recipient’s account is deleted meanwhile',
      async () => {
        const erin = await member(server);
        const created = await newSecret(alice, [erin]);
        const answer = await committedWhileWaiting(
          async (other) => {
            await other.query('DELETE FROM users WHERE id = $1', [erin.userId]);
          },
          () => as(alice).post('/api/secrets', created.body),
        );
        expect(answer.status).toBe(409);
        expect(bodyOf<Conflict>(answer).changedUserIds).toEqual([erin.userId]);
        await as(alice).get(`/api/secrets/${created.secretId}`).expect(404);
      },
    );

    it('answers 409 for an id ever used: by another body, by another user, and after deletion', async () => {
      const { secretId, body } = await create(alice, [bob]);
      await as(alice)
        .post('/api/secrets', { ...body, name: 'Other' })
        .expect(409);
      const bobs = await sealVersion(bob, secretId, 1, [bob]);
      await as(bob)
        .post('/api/secrets', { ...body, commitment: bobs.commitment, envelopes: bobs.envelopes })
        .expect(409);
      await as(alice).delete(`/api/secrets/${secretId}`).expect(204);
      await as(alice).post('/api/secrets', body).expect(409);
    });

    it.each([
      ['version 2', (body: Record<string, unknown>) => ({ ...body, version: 2 })],
      [
        'no envelope for the caller',
        (body: { envelopes: unknown[] }) => ({ ...body, envelopes: body.envelopes.slice(1) }),
      ],
      [
        'a member named twice',
        (body: { envelopes: unknown[] }) => ({ ...body, envelopes: [...body.envelopes, body.envelopes[1]] }),
      ],
      ['no envelope at all', (body: Record<string, unknown>) => ({ ...body, envelopes: [] })],
      [
        'an id that is not a UUIDv4',
        (body: Record<string, unknown>) => ({ ...body, secretId: '0f8e3c1a-5b7d-1e29-8a6c-2d4f6b8a0c1e' }),
      ],
      ['an empty name', (body: Record<string, unknown>) => ({ ...body, name: '' })],
      [
        'a short ciphertext',
        (body: { envelopes: { ciphertext: string }[] }) => ({
          ...body,
          envelopes: body.envelopes.map((e) => ({ ...e, ciphertext: e.ciphertext.slice(0, 43) })),
        }),
      ],
      [
        'an upper-case fingerprint',
        (body: { envelopes: { keyFingerprint: string }[] }) => ({
          ...body,
          envelopes: body.envelopes.map((e) => ({ ...e, keyFingerprint: e.keyFingerprint.toUpperCase() })),
        }),
      ],
    ])('refuses %s with 400, creating nothing', async (_case, change) => {
      const { secretId, body } = await newSecret(alice, [bob]);
      const response = await as(alice)
        .post('/api/secrets', change(body as never))
        .expect(400);
      expect(errorOf(response).statusCode).toBe(400);
      await as(alice).get(`/api/secrets/${secretId}`).expect(404);
    });

    it('refuses a name with a NUL character with 400 (no text column can hold one), storing nothing', async () => {
      const created = await newSecret(alice, [bob]);
      const refused = await as(alice).post('/api/secrets', { ...created.body, name: 'Facility\u0000north' });
      expect(refused.status).toBe(400);
      expect(errorOf(refused).message).toMatch(/NUL character/);
      await as(alice).get(`/api/secrets/${created.secretId}`).expect(404);
    });

    it('refuses more than 256 envelopes with 400', async () => {
      const { body } = await newSecret(alice, []);
      const many = Array.from({ length: 257 }, () => ({ ...body.envelopes[0], userId: randomUUID() }));
      const response = await as(alice)
        .post('/api/secrets', { ...body, envelopes: many })
        .expect(400);
      expect(JSON.stringify(errorOf(response).message)).toMatch(/256/);
    });

    it('reads bodies up to 128 KiB on the routes that carry a whole version, and refuses larger ones with 413', async () => {
      const { body } = await newSecret(alice, [bob]);
      // Past the usual 64 KiB: read, then refused for what it says (a name too long), not for its size.
      await as(alice)
        .post('/api/secrets', { ...body, name: 'x'.repeat(100 * 1024) })
        .expect(400);
      await as(alice)
        .post('/api/secrets', { ...body, name: 'x'.repeat(130 * 1024) })
        .expect(413);
      for (const path of [
        `/api/secrets/${randomUUID()}/versions`,
        `/api/secrets/${randomUUID()}/members/${bob.userId}/removal`,
      ]) {
        await as(alice)
          .post(path, { ...body, name: 'x'.repeat(100 * 1024) })
          .expect(400);
        await as(alice)
          .post(path, { ...body, name: 'x'.repeat(130 * 1024) })
          .expect(413);
      }
      // Every other route keeps the 64 KiB limit.
      await as(alice)
        .post(`/api/secrets/${randomUUID()}/members`, { name: 'x'.repeat(100 * 1024) })
        .expect(413);
    });

    it("answers 409 with changedUserIds when a recipient's key is pending, missing or another", async () => {
      const pending = await registerAndLogin(server.http);
      await putPublicKey(server, pending, (await generateKeyPair()).publicKey).expect(200);
      const { body } = await newSecret(alice, [bob, carol]);
      const envelopes = [
        ...body.envelopes.map((e) => (e.userId === carol.userId ? { ...e, keyFingerprint: dave.fingerprint } : e)),
        { ...body.envelopes[1], userId: pending.userId },
        { ...body.envelopes[1], userId: randomUUID() },
      ];
      const response = await as(alice)
        .post('/api/secrets', { ...body, envelopes })
        .expect(409);
      const conflict = bodyOf<Conflict>(response);
      expect(conflict.statusCode).toBe(409);
      expect(conflict.changedUserIds?.sort()).toEqual([carol.userId, pending.userId, envelopes[4].userId].sort());
      await as(alice).get(`/api/secrets/${body.secretId}`).expect(404);
    });
  });

  describe('listSecrets', () => {
    it('pages by nextCursor, 50 to a page, each secret once; a cursor that is not a UUID is 400', async () => {
      const erin = await member(server);
      const ids: string[] = [];
      for (let i = 0; i < 51; i++) ids.push((await create(erin, [])).secretId);
      const first = bodyOf<ServerApi.SecretsPage>(await as(erin).get('/api/secrets').expect(200));
      expect(first.items).toHaveLength(50);
      expect(first.nextCursor).toEqual(expect.any(String));
      const last = bodyOf<ServerApi.SecretsPage>(
        await as(erin).get(`/api/secrets?cursor=${first.nextCursor}`).expect(200),
      );
      expect(last).toMatchObject({ nextCursor: null });
      expect([...first.items, ...last.items].map((item) => item.secretId).sort()).toEqual(ids.sort());
      expect(errorOf(await as(erin).get('/api/secrets?cursor=page-2').expect(400)).message).toEqual([
        'cursor must be a UUID',
      ]);
    });
  });

  describe('addSecretMember', () => {
    it('answers 409 for a version that is not current, a changed key, or a member already there', async () => {
      const { secretId, secret } = await create(alice, [bob]);
      const next = await rotate(alice, secretId, [alice, bob]);
      const [old] = (await sealVersion(alice, secretId, 1, [dave], secret)).envelopes;
      await as(alice)
        .post(`/api/secrets/${secretId}/members`, { version: 1, ...old })
        .expect(409);
      const [current] = (await sealVersion(alice, secretId, 2, [dave], next.secret)).envelopes;
      const changed = await as(alice)
        .post(`/api/secrets/${secretId}/members`, { version: 2, ...current, keyFingerprint: carol.fingerprint })
        .expect(409);
      expect(bodyOf<Conflict>(changed).changedUserIds).toEqual([dave.userId]);
      const [bobs] = (await sealVersion(alice, secretId, 2, [bob], next.secret)).envelopes;
      await as(alice)
        .post(`/api/secrets/${secretId}/members`, { version: 2, ...bobs })
        .expect(409);
      await as(alice)
        .post(`/api/secrets/${secretId}/members`, { version: 2, ...current })
        .expect(201);
      expect((await openAs(server, dave, secretId)).secret).toEqual(next.secret);
    });
  });

  describe('removeSecretMember and rotateSecret', () => {
    it('answer 409 naming missing and extra members when the envelopes do not cover exactly the members', async () => {
      const { secretId } = await create(alice, [bob, carol]);
      // The removed member's envelope is extra; a remaining member's absence is missing.
      const wrong = await sealVersion(alice, secretId, 2, [alice, carol]);
      const removal = await as(alice)
        .post(`/api/secrets/${secretId}/members/${carol.userId}/removal`, {
          version: 2,
          commitment: wrong.commitment,
          envelopes: wrong.envelopes,
        })
        .expect(409);
      expect(bodyOf<Conflict>(removal)).toMatchObject({ missingUserIds: [bob.userId], extraUserIds: [carol.userId] });
      const rotation = await as(alice)
        .post(`/api/secrets/${secretId}/versions`, {
          version: 2,
          commitment: wrong.commitment,
          envelopes: wrong.envelopes,
        })
        .expect(409);
      expect(bodyOf<Conflict>(rotation)).toMatchObject({ missingUserIds: [bob.userId], extraUserIds: [] });
      // Still version 1, with Carol.
      expect((await openAs(server, carol, secretId)).version).toBe(1);
    });

    it('answer 409 when the version is not the current one + 1, or a key changed', async () => {
      const { secretId } = await create(alice, [bob]);
      for (const version of [1, 3]) {
        const sealed = await sealVersion(alice, secretId, version, [alice, bob]);
        await as(alice)
          .post(`/api/secrets/${secretId}/versions`, {
            version,
            commitment: sealed.commitment,
            envelopes: sealed.envelopes,
          })
          .expect(version === 1 ? 400 : 409);
      }
      const sealed = await sealVersion(alice, secretId, 2, [alice, bob]);
      const changed = await as(alice)
        .post(`/api/secrets/${secretId}/versions`, {
          version: 2,
          commitment: sealed.commitment,
          envelopes: sealed.envelopes.map((e) =>
            e.userId === bob.userId ? { ...e, keyFingerprint: carol.fingerprint } : e,
          ),
        })
        .expect(409);
      expect(bodyOf<Conflict>(changed).changedUserIds).toEqual([bob.userId]);
    });

    it('a removal answers 409 when the version is not the current one + 1; naming a non-member, 404', async () => {
      const { secretId } = await create(alice, [bob, carol]);
      for (const version of [1, 3]) {
        const sealed = await sealVersion(alice, secretId, version, [alice, bob]);
        await as(alice)
          .post(`/api/secrets/${secretId}/members/${carol.userId}/removal`, {
            version,
            commitment: sealed.commitment,
            envelopes: sealed.envelopes,
          })
          .expect(version === 1 ? 400 : 409);
      }
      const sealed = await sealVersion(alice, secretId, 2, [alice, bob, carol]);
      const body = { version: 2, commitment: sealed.commitment, envelopes: sealed.envelopes };
      await as(alice).post(`/api/secrets/${secretId}/members/${dave.userId}/removal`, body).expect(404);
      await as(alice).put(`/api/secrets/${secretId}/members/${dave.userId}/role`, { role: 'owner' }).expect(404);
      expect(
        bodyOf<ServerApi.SecretResponse>(await as(carol).get(`/api/secrets/${secretId}`).expect(200)).version,
      ).toBe(1);
    });

    it('a member added at version 2 gets 404 for version 1, which was never sealed to it', async () => {
      const { secretId } = await create(alice, [bob]);
      const next = await rotate(alice, secretId, [alice, bob]);
      const [daveEnvelope] = (await sealVersion(alice, secretId, 2, [dave], next.secret)).envelopes;
      await as(alice)
        .post(`/api/secrets/${secretId}/members`, { version: 2, ...daveEnvelope })
        .expect(201);
      await as(dave).get(`/api/secrets/${secretId}/versions/2`).expect(200);
      await as(dave).get(`/api/secrets/${secretId}/versions/1`).expect(404);
    });

    it('two owners rotating at once: one version 2, the other answered 409', async () => {
      const { secretId } = await create(alice, [bob]);
      await as(alice).put(`/api/secrets/${secretId}/members/${bob.userId}/role`, { role: 'owner' }).expect(204);
      const bodies = await Promise.all(
        [alice, bob].map(async (owner) => {
          const sealed = await sealVersion(owner, secretId, 2, [alice, bob]);
          return { version: 2, commitment: sealed.commitment, envelopes: sealed.envelopes };
        }),
      );
      const answers = await Promise.all(
        [alice, bob].map((owner, i) => as(owner).post(`/api/secrets/${secretId}/versions`, bodies[i])),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.findIndex((a) => a.status === 200);
      for (const who of [alice, bob]) {
        const described = bodyOf<ServerApi.SecretResponse>(await as(who).get(`/api/secrets/${secretId}`).expect(200));
        expect(described).toMatchObject({ version: 2, versionCount: 2, commitment: bodies[winner].commitment });
      }
    });

    it('removing oneself is leaving: 400', async () => {
      const { secretId } = await create(alice, [bob]);
      const sealed = await sealVersion(alice, secretId, 2, [bob]);
      await as(alice)
        .post(`/api/secrets/${secretId}/members/${alice.userId}/removal`, {
          version: 2,
          commitment: sealed.commitment,
          envelopes: sealed.envelopes,
        })
        .expect(400);
    });
  });

  describe('leaveSecret, setSecretMemberRole and deleteSecret', () => {
    it('a member leaves: it gets 404 from then on, and the others are asked to rotate, which clears it', async () => {
      const { secretId } = await create(alice, [bob, carol]);
      await as(carol).post(`/api/secrets/${secretId}/leave`).expect(204);
      await as(carol).get(`/api/secrets/${secretId}`).expect(404);
      await as(carol).get(`/api/secrets/${secretId}/versions/1`).expect(404);
      const described = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
      expect(described.rotationRequired).toBe(true);
      expect(described.members.map((m) => m.userId)).not.toContain(carol.userId);
      expect(await eventsOf(carol)).toContain('secret.left');
      await rotate(alice, secretId, [alice, bob]);
      expect(
        bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200)).rotationRequired,
      ).toBe(false);
      expect(await eventsOf(alice)).toContain('secret.rotated');
    });

    it('the last owner cannot leave while others are members, nor be made a member; a second owner can', async () => {
      const { secretId } = await create(alice, [bob]);
      await as(alice).post(`/api/secrets/${secretId}/leave`).expect(409);
      await as(alice).put(`/api/secrets/${secretId}/members/${alice.userId}/role`, { role: 'member' }).expect(409);
      await as(alice).put(`/api/secrets/${secretId}/members/${bob.userId}/role`, { role: 'owner' }).expect(204);
      expect(await eventsOf(bob)).toContain('secret.role-changed');
      await as(alice).post(`/api/secrets/${secretId}/leave`).expect(204);
      const described = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
      expect(described.members).toEqual([{ userId: bob.userId, role: 'owner', keyFingerprint: bob.fingerprint }]);
      // Alone, leaving deletes it.
      await as(bob).post(`/api/secrets/${secretId}/leave`).expect(204);
      await as(bob).get(`/api/secrets/${secretId}`).expect(404);
    });

    it.each([
      ['an unknown role', { role: 'admin' }],
      ['no role', {}],
    ])('setSecretMemberRole refuses %s with 400', async (_case, body) => {
      const { secretId } = await create(alice, [bob]);
      await as(alice).put(`/api/secrets/${secretId}/members/${bob.userId}/role`, body).expect(400);
    });

    it('deleting a secret takes every envelope of every version from every member', async () => {
      const { secretId } = await create(alice, [bob]);
      await rotate(alice, secretId, [alice, bob]);
      await as(alice).delete(`/api/secrets/${secretId}`).expect(204);
      for (const who of [alice, bob]) {
        for (const path of [
          `/api/secrets/${secretId}`,
          `/api/secrets/${secretId}/versions/1`,
          `/api/secrets/${secretId}/versions/2`,
        ]) {
          await as(who).get(path).expect(404);
        }
      }
      expect(await eventsOf(bob)).toContain('secret.deleted');
    });

    it('getSecretVersion refuses a version that is not a positive integer with 400', async () => {
      const { secretId } = await create(alice, [bob]);
      for (const version of ['0', '-1', 'one', '99999999999']) {
        await as(bob).get(`/api/secrets/${secretId}/versions/${version}`).expect(400);
      }
    });
  });

  describe('account deletion', () => {
    it('answers 409 with the secretIds while the user is the last owner of a secret others hold; else leaves them', async () => {
      const erin = await member(server);
      const owned = await create(erin, [bob]);
      const held = await create(alice, [erin, bob]);
      const alone = await create(erin, []);
      const deletion = await as(erin).post('/api/user/delete', { currentPassword: erin.password }).expect(409);
      expect(bodyOf<{ secretIds: string[] }>(deletion).secretIds).toEqual([owned.secretId]);
      await as(erin).put(`/api/secrets/${owned.secretId}/members/${bob.userId}/role`, { role: 'owner' }).expect(204);
      await as(erin).post('/api/user/delete', { currentPassword: erin.password }).expect(204);
      for (const secretId of [owned.secretId, held.secretId]) {
        const described = bodyOf<ServerApi.SecretResponse>(await as(bob).get(`/api/secrets/${secretId}`).expect(200));
        expect(described.rotationRequired).toBe(true);
        expect(described.members.map((m) => m.userId)).not.toContain(erin.userId);
      }
      // The secret she alone held is gone, its id spent.
      const reused = await sealVersion(alice, alone.secretId, 1, [alice]);
      await as(alice)
        .post('/api/secrets', { ...alone.body, commitment: reused.commitment, envelopes: reused.envelopes })
        .expect(409);
    });

    it.skipIf(!onPostgres)(
      'counts owners after waiting for the lock: a co-owner leaving meanwhile makes it 409',
      async () => {
        const erin = await member(server);
        const { secretId } = await create(erin, [bob, carol]);
        await as(erin).put(`/api/secrets/${secretId}/members/${bob.userId}/role`, { role: 'owner' }).expect(204);
        // Bob leaves in a transaction that holds the secret's lock, as a leave by another instance would.
        const answer = await committedWhileWaiting(
          async (other) => {
            await other.query('SELECT id FROM secrets WHERE id = $1 FOR UPDATE', [secretId]);
            await other.query('DELETE FROM secret_members WHERE secret_id = $1 AND user_id = $2', [
              secretId,
              bob.userId,
            ]);
          },
          () => as(erin).post('/api/user/delete', { currentPassword: erin.password }),
        );
        expect(answer.status).toBe(409);
        expect(bodyOf<{ secretIds: string[] }>(answer).secretIds).toEqual([secretId]);
        await as(erin).get(`/api/secrets/${secretId}`).expect(200);
      },
    );

    it.skipIf(!onPostgres)(
      'refuses with 409 when a secret is shared with the account while it is being deleted, not leaving it ownerless',
      async () => {
        const erin = await member(server);
        const secretId = randomUUID();
        // Erin creates a secret with Bob from another session: its transaction has not committed yet.
        const answer = await committedWhileWaiting(
          async (other) => {
            await other.query(
              `INSERT INTO secrets (id, name, current_version, created_by, create_digest) VALUES ($1, 'In flight', 1, $2, '\\x00')`,
              [secretId, erin.userId],
            );
            await other.query(
              `INSERT INTO secret_members (secret_id, user_id, role) VALUES ($1, $2, 'owner'), ($1, $3, 'member')`,
              [secretId, erin.userId, bob.userId],
            );
          },
          () => as(erin).post('/api/user/delete', { currentPassword: erin.password }),
        );
        expect(answer.status).toBe(409);
        expect(bodyOf<{ secretIds: string[] }>(answer).secretIds).toEqual([secretId]);
        await as(erin).get('/api/user/me').expect(200);
      },
    );
  });
});

describe('RATE_LIMIT_SECRET_WRITES_PER_USER', () => {
  let server: RunningApp;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_SECRET_WRITES_PER_USER: '3/1h' });
  });
  afterAll(() => closeAll(server));

  it('bounds the writes of one user, refused ones included, with 429 and Retry-After; reads are not counted', async () => {
    const [owner, other] = [await member(server), await member(server)];
    const created = await newSecret(owner, [other]);
    const post = (who: Member, path: string, body?: object) =>
      server.http().post(path).set(bearer(who.sessionToken)).send(body);
    await post(owner, '/api/secrets', created.body).expect(201);
    await post(owner, '/api/secrets', { ...created.body, name: 'Taken' }).expect(409);
    for (let i = 0; i < 5; i++) {
      await server.http().get(`/api/secrets/${created.secretId}`).set(bearer(owner.sessionToken)).expect(200);
    }
    await post(owner, `/api/secrets/${created.secretId}/leave`).expect(409);
    const refused = await post(owner, `/api/secrets/${created.secretId}/leave`).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another user's writes have their own count.
    await post(other, `/api/secrets/${created.secretId}/leave`).expect(204);
  });
});
