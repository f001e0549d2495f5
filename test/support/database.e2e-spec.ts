import { describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  connectAdmin,
  dropAbandonedRuns,
  lockRun,
  newRunId,
  onPostgres,
  runIdOf,
  templateName,
  testDatabaseName,
} from './database.js';

// Runs sharing one PostgreSQL must never touch each other's databases (`npm run test:pg` twice at once).
describe('test database names', () => {
  it('carry the run id, which the global setup hands to every test file', () => {
    const runId = inject('testRunId');
    expect(runId).toMatch(/^[0-9a-f]{12}$/);
    for (const service of ['server', 'keyserver'] as const) {
      for (const name of [templateName(runId, service), testDatabaseName(runId, service)]) {
        expect(name.startsWith(`kx_${runId}_`)).toBe(true);
        expect(runIdOf(name)).toBe(runId);
        expect(name.length).toBeLessThanOrEqual(63); // PostgreSQL's identifier limit
      }
    }
  });

  it('differ between runs, and nothing else is taken for a run database', () => {
    expect(newRunId()).not.toBe(newRunId());
    expect(testDatabaseName('a'.repeat(12), 'server')).not.toBe(testDatabaseName('a'.repeat(12), 'server'));
    for (const name of [
      'kx_template_server',
      'kx_test_server_0123456789ab',
      'postgres',
      'kx_0123456789AB_template_server',
    ]) {
      expect(runIdOf(name)).toBeUndefined();
    }
  });
});

describe.skipIf(!onPostgres)('test databases on PostgreSQL', () => {
  it('exist as templates for this run', async () => {
    const admin = await connectAdmin();
    onTestFinished(() => admin.end());
    const runId = inject('testRunId');
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
      [templateName(runId, 'server'), templateName(runId, 'keyserver')],
    ]);
    expect(rows).toHaveLength(2);
  });

  it('of a crashed run are dropped, those of a live run are kept', async () => {
    const admin = await connectAdmin();
    const liveRun = await connectAdmin(); // stands for another run in progress: it holds its lock
    const [dead, live] = [newRunId(), newRunId()];
    const [deadDatabase, liveDatabase] = [testDatabaseName(dead, 'server'), testDatabaseName(live, 'server')];
    onTestFinished(async () => {
      for (const name of [deadDatabase, liveDatabase])
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
      await Promise.all([admin.end(), liveRun.end()]);
    });
    await lockRun(liveRun, live);
    for (const name of [deadDatabase, liveDatabase])
      await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);

    const dropped = await dropAbandonedRuns(admin, inject('testRunId'));

    expect(dropped).toContain(dead);
    expect(dropped).not.toContain(live);
    expect(dropped).not.toContain(inject('testRunId'));
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
      [deadDatabase, liveDatabase],
    ]);
    expect(rows.map((row) => row.datname)).toEqual([liveDatabase]);
  });
});
