import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startServices } from './support/apps.js';
import { sharedBuild } from './support/build.js';
import { runClient } from './support/reference-client.js';
import { uniqueEmail } from './support/users.js';

const PASSWORD = 'correct horse battery staple';

interface Device {
  home: string;
  userId: string;
}

/**
 * Shared secrets through the reference client, as its users run it: four
 * people, each on a device of their own (KX_HOME), against both services.
 */
describe('shared secrets with the reference client', { timeout: 240_000 }, () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let main: string;
  const folders: string[] = [];
  const people: Record<'alice' | 'bob' | 'carol' | 'dave', Device> = {} as never;

  const client = (device: Pick<Device, 'home'>, args: string[]) =>
    runClient(main, args, {
      KX_HOME: device.home,
      KX_SERVER_URL: server.url,
      KX_KEYSERVER_URL: keyserver.url,
      KX_PASSWORD: PASSWORD,
    });
  const ok = async (device: Device, args: string[]) => {
    const result = await client(device, args);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return result.stdout;
  };
  const commitmentOf = (stdout: string) => /Commitment: (\S+)/.exec(stdout)?.[1];
  const revealed = (stdout: string) => /Secret: ([0-9a-f]{64})/.exec(stdout)?.[1];
  const trustFile = (device: Device) => join(device.home, 'trust.json');

  async function newDevice(email: string, register: boolean): Promise<Device> {
    const home = mkdtempSync(join(tmpdir(), 'kx-secrets-client-'));
    folders.push(home);
    const device = { home, userId: '' };
    if (register) await ok(device, ['register', '--email', email]);
    await ok(device, ['login', '--email', email]);
    device.userId = (JSON.parse(readFileSync(join(home, 'session.json'), 'utf8')) as { userId: string }).userId;
    return device;
  }

  beforeAll(async () => {
    main = await sharedBuild('client');
    ({ server, keyserver } = await startServices());
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
      people[name] = await newDevice(uniqueEmail(name), true);
      await ok(people[name], ['create-keypair']);
    }
  }, 240_000);
  afterAll(async () => {
    await closeAll(keyserver, server);
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it('three create a secret, add a fourth, remove one, and every remaining member opens the same secret', async () => {
    const { alice, bob, carol, dave } = people;
    const created = await ok(alice, [
      'secret',
      'create',
      '--name',
      'Facility north',
      '--member',
      bob.userId,
      '--member',
      carol.userId,
    ]);
    const secretId = /Secret ([0-9a-f-]{36}) created/.exec(created)![1];
    const first = commitmentOf(created);
    const opened = await Promise.all(
      [alice, bob, carol].map((who) => ok(who, ['secret', 'show', secretId, '--reveal'])),
    );
    expect(opened.map(commitmentOf)).toEqual([first, first, first]);
    expect(new Set(opened.map(revealed)).size).toBe(1);
    // The secret itself only when asked.
    expect(revealed(await ok(bob, ['secret', 'show', secretId]))).toBeUndefined();

    await ok(alice, ['secret', 'add-member', secretId, '--user', dave.userId]);
    expect(commitmentOf(await ok(dave, ['secret', 'show', secretId]))).toBe(first);

    expect(await ok(alice, ['secret', 'remove-member', secretId, '--user', carol.userId])).toMatch(/version 2/);
    const after = await Promise.all([alice, bob, dave].map((who) => ok(who, ['secret', 'show', secretId, '--reveal'])));
    const second = commitmentOf(after[0]);
    expect(second).not.toBe(first);
    expect(after.map(commitmentOf)).toEqual([second, second, second]);
    expect(new Set(after.map(revealed)).size).toBe(1);
    expect(revealed(after[0])).not.toBe(revealed(opened[0]));
    const carolNow = await client(carol, ['secret', 'show', secretId]);
    expect(carolNow.code).toBe(5);
    expect(carolNow.stderr).toMatch(/not a member/);
    expect(await ok(bob, ['secret', 'list'])).toContain(secretId);
    expect(await ok(carol, ['secret', 'list'])).not.toContain(secretId);
  });

  it('refuses a version lower than one this device has seen (rollback), and a key other than the pinned one', async () => {
    const { alice, bob } = people;
    const created = await ok(alice, ['secret', 'create', '--name', 'Rollback', '--member', bob.userId]);
    const secretId = /Secret ([0-9a-f-]{36}) created/.exec(created)![1];
    await ok(bob, ['secret', 'show', secretId]);
    const original = readFileSync(trustFile(bob), 'utf8');
    const trust = JSON.parse(original) as Record<
      string,
      { pins: Record<string, string>; versions: Record<string, number> }
    >;
    expect(trust[bob.userId].versions[secretId]).toBe(1);
    expect(trust[bob.userId].pins[alice.userId]).toMatch(/^[0-9a-f]{64}$/);

    // As if the server now served version 1 after Bob had seen version 2.
    trust[bob.userId].versions[secretId] = 2;
    writeFileSync(trustFile(bob), JSON.stringify(trust));
    const rolledBack = await client(bob, ['secret', 'show', secretId]);
    expect(rolledBack.code).toBe(11);
    expect(rolledBack.stderr).toMatch(/rollback/);

    // As if Alice's key had changed since Bob pinned it.
    trust[bob.userId].versions[secretId] = 1;
    trust[bob.userId].pins[alice.userId] = '0'.repeat(64);
    writeFileSync(trustFile(bob), JSON.stringify(trust));
    const changed = await client(bob, ['secret', 'show', secretId]);
    expect(changed.code).toBe(11);
    expect(changed.stderr).toMatch(/not the one this device pinned/);
    writeFileSync(trustFile(bob), original);
    await ok(bob, ['secret', 'show', secretId]);
  });

  it('refuses what a dishonest server serves: an altered envelope, a swapped commitment, an envelope moved, a rollback', async () => {
    const { alice, bob } = people;
    const created = await ok(alice, ['secret', 'create', '--name', 'Dishonest', '--member', bob.userId]);
    const secretId = /Secret ([0-9a-f-]{36}) created/.exec(created)![1];
    await ok(alice, ['secret', 'rotate', secretId]);
    const honest = commitmentOf(await ok(bob, ['secret', 'show', secretId]));
    // The server's own database, as a compromised server would change it.
    const db = server.app.get(DataSource);
    const envelopeOf = async (userId: string, version: number) =>
      (
        await db.query<{ enc: Buffer; ciphertext: Buffer; sender_id: string }[]>(
          `SELECT enc, ciphertext, sender_id FROM secret_envelopes WHERE secret_id = $1 AND version = $2 AND user_id = $3`,
          [secretId, version, userId],
        )
      )[0];
    const bobsEnvelope = await envelopeOf(bob.userId, 2);
    const serve = (envelope: { enc: Buffer; ciphertext: Buffer; sender_id: string }) =>
      db.query(
        `UPDATE secret_envelopes SET enc = $4, ciphertext = $5, sender_id = $6 WHERE secret_id = $1 AND version = $2 AND user_id = $3`,
        [secretId, 2, bob.userId, envelope.enc, envelope.ciphertext, envelope.sender_id],
      );
    const refused = async (pattern: RegExp) => {
      const result = await client(bob, ['secret', 'show', secretId, '--reveal']);
      expect(result.code, result.stderr).toBe(11);
      expect(result.stderr).toMatch(pattern);
      expect(revealed(result.stdout)).toBeUndefined();
    };

    const altered = Buffer.from(bobsEnvelope.ciphertext);
    altered[0] ^= 1;
    await serve({ ...bobsEnvelope, ciphertext: altered });
    await refused(/does not open/);
    await serve(bobsEnvelope);

    const [{ commitment: firstCommitment }] = await db.query<{ commitment: string }[]>(
      `SELECT commitment FROM secret_versions WHERE secret_id = $1 AND version = 1`,
      [secretId],
    );
    await db.query(`UPDATE secret_versions SET commitment = $2 WHERE secret_id = $1 AND version = 2`, [
      secretId,
      firstCommitment,
    ]);
    await refused(/does not open/);
    await db.query(`UPDATE secret_versions SET commitment = $2 WHERE secret_id = $1 AND version = 2`, [
      secretId,
      honest,
    ]);

    await serve(await envelopeOf(alice.userId, 2)); // another member's
    await refused(/does not open/);
    await serve(await envelopeOf(bob.userId, 1)); // another version's
    await refused(/does not open/);
    await serve(bobsEnvelope);

    await db.query(`UPDATE secrets SET current_version = 1 WHERE id = $1`, [secretId]);
    await refused(/rollback/);
    await db.query(`UPDATE secrets SET current_version = 2 WHERE id = $1`, [secretId]);

    expect(commitmentOf(await ok(bob, ['secret', 'show', secretId]))).toBe(honest);
  });

  it('before a rotation, asks for members this device has not pinned to be confirmed', async () => {
    const { alice, bob, dave } = people;
    const created = await ok(alice, [
      'secret',
      'create',
      '--name',
      'Confirm',
      '--member',
      bob.userId,
      '--member',
      dave.userId,
    ]);
    const secretId = /Secret ([0-9a-f-]{36}) created/.exec(created)![1];
    // Alice on a new device: nobody pinned yet.
    const laptop = await newDevice(
      (JSON.parse(readFileSync(join(alice.home, 'session.json'), 'utf8')) as { email: string }).email,
      false,
    );
    const refused = await client(laptop, ['secret', 'rotate', secretId]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/confirm the members/);
    expect(refused.stderr).toContain(bob.userId);
    // Bob's key was used to open nothing here: the pins are still empty, the rotation not made.
    expect(commitmentOf(await ok(bob, ['secret', 'show', secretId]))).toBe(commitmentOf(created));
    expect(await ok(laptop, ['secret', 'rotate', secretId, '--member', bob.userId, '--member', dave.userId])).toMatch(
      /Rotated to version 2/,
    );
  });
});
