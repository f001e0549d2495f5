import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedPostgres, IN_MEMORY } from '../src/index.js';

const created: string[] = [];
const started: EmbeddedPostgres[] = [];
afterEach(async () => {
  for (const engine of started.splice(0)) await engine.stop().catch(() => undefined);
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix = 'kx-embedded-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<EmbeddedPostgres> {
  const engine = await EmbeddedPostgres.start(dataDir);
  started.push(engine);
  return engine;
}

async function stop(engine: EmbeddedPostgres): Promise<void> {
  started.splice(started.indexOf(engine), 1);
  await engine.stop();
}

/** Every path under `dir` (itself included) whose mode gives anything to group or others. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if (stat.mode & 0o077) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return found;
}

async function query(engine: EmbeddedPostgres, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ host: engine.host, port: engine.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

// PGlite takes seconds to start on a busy machine.
describe('the embedded database', { timeout: 60_000 }, () => {
  it('is served on a Unix socket in a folder only its owner can enter, removed on stop', async () => {
    const engine = await start(IN_MEMORY);
    expect(engine.host.startsWith('/')).toBe(true);
    expect(statSync(engine.host).mode & 0o777).toBe(0o700);
    expect(lstatSync(join(engine.host, `.s.PGSQL.${engine.port}`)).isSocket()).toBe(true);
    expect(await query(engine, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await stop(engine);
    expect(existsSync(engine.host)).toBe(false);
  });

  it('keeps DATA_DIR and its files to their owner (dirs 0700, files 0600), repairing them at start', async () => {
    const dataRoot = join(tempDir(), 'data');
    const dataDir = join(dataRoot, 'server');
    const first = await start(dataDir);
    await query(first, "CREATE TABLE t (v text); INSERT INTO t VALUES ('x')");
    expect(openToOthers(dataRoot)).toEqual([]);
    await stop(first);
    expect(openToOthers(dataRoot)).toEqual([]);

    // What an older version left: a world-readable folder and files, and a
    // link out of the folder that the repair must not follow.
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'base'), 0o755);
    chmodSync(join(dataDir, 'PG_VERSION'), 0o666);
    const outside = join(tempDir(), 'not-ours');
    writeFileSync(outside, 'left alone');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(dataDir, 'link-out'));

    const second = await start(dataDir);
    expect(openToOthers(dataRoot)).toEqual([]);
    expect(statSync(outside).mode & 0o777).toBe(0o644);
    expect(await query(second, 'SELECT v FROM t')).toEqual([{ v: 'x' }]);
  });

  it('removes its socket folder when it cannot start', async () => {
    // A TMPDIR so deep that the socket path would not fit a Unix socket address.
    const deep = join(tempDir(), 'd'.repeat(100));
    mkdirSync(deep);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = deep;
    try {
      const attempt = EmbeddedPostgres.start(IN_MEMORY).then((engine) => started.push(engine));
      await expect(attempt).rejects.toThrow(/set TMPDIR to a shorter folder/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(readdirSync(deep)).toEqual([]);
  });
});
