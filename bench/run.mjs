// npm run bench [-- --quick | --full] [-- --embedded]
//
// Every flow of the protocol against both services as real processes on
// PostgreSQL (BENCH_DATABASE_URL, default the local server; --embedded: the
// embedded engine), with the defenses and operations work on (rate limits
// counted in Redis, request logs, metrics), next to a bare baseline doing the
// same statements, Redis commands, unwrap and hops on node:http + pg
// (bench/baseline/). Project and baseline alternate; ratios are medians.
// Client-side cryptography is done before the timed part. Prints a table and
// writes it as JSON under bench/results/.
import { availableParallelism } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, fork } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import pLimit from 'p-limit';
import { Bench } from 'tinybench';
import {
  answerOf,
  api,
  createKeyPair,
  crypto,
  FAST_KDF,
  keyMaterial,
  newLoginSecret,
  registerUser,
} from './lib/client.mjs';
import { counted, timed } from './lib/drive.mjs';
import { benchSecrets, KEYSERVER, NODE_ARGS, SERVER, serviceEnvironment } from './lib/env.mjs';
import { createDatabases, startProcess } from './lib/processes.mjs';
import { inspectorProfiler, summariseProfiles } from './lib/profile.mjs';

const benchBegan = performance.now();
const args = new Set(process.argv.slice(2));
const mode = args.has('--quick') ? 'quick' : args.has('--full') ? 'full' : 'default';
const embedded = args.has('--embedded');
const profile = args.has('--profile');
const PLAN = {
  quick: { warmupMs: 1000, measureMs: 2500, rounds: 1, users: 4, countFlows: 4, coldStarts: 3 },
  default: { warmupMs: 2000, measureMs: 8000, rounds: 3, users: 6, countFlows: 4, coldStarts: 5 },
  full: { warmupMs: 2000, measureMs: 8000, rounds: 3, users: 50, countFlows: 200, coldStarts: 5 },
}[mode];
// A shorter --full: the counted flows are scrypt's time (about 0.8 s a hash here), 200 of each take long.
if (process.env.BENCH_COUNT_FLOWS) PLAN.countFlows = Number(process.env.BENCH_COUNT_FLOWS);
const CONCURRENCY = 50;
/** The server's default LOGIN_HASH_CONCURRENCY: the count-based flows never queue behind it. */
const HASH_CONCURRENCY = Math.max(1, availableParallelism() - 1);
const SCRIPTS = {
  project: {
    server: 'dist/apps/server/main.mjs',
    keyserver: 'dist/apps/keyserver/main.mjs',
  },
  baseline: { server: 'bench/baseline/server.mjs', keyserver: 'bench/baseline/keyserver.mjs' },
  // The same code unbundled, for --profile: each frame keeps the package it comes from.
  modules: {
    server: 'dist/apps/server/apps/server/src/main.js',
    keyserver: 'dist/apps/keyserver/apps/keyserver/src/main.js',
  },
};
const ALL_ON = { limits: true, logs: true, metrics: true };
const OVERLOAD = `key fetch, ${4 * CONCURRENCY} in flight`;

/** Registrations hash too: a few at a time, so the server's hashing queue never turns one away. */
const seeding = pLimit(4);
const runId = `${process.pid}`;
const redisPrefix = `kxbench${runId}`;
const secrets = benchSecrets();
const dataDir = embedded ? mkdtempSync(join(tmpdir(), 'kx-bench-')) : undefined;
const databases = embedded
  ? undefined
  : await createDatabases(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', runId);
const server = api(SERVER);
const keyserver = api(KEYSERVER);
const results = { mode, database: embedded ? 'embedded' : 'postgresql', machine: machine(), flows: {}, checks: {} };

try {
  // --- Seed through the API: users with a confirmed key and a secured session.
  // Registered only, for the create-keypair runs: as many for each side.
  let users;
  let fresh;
  await phase('seeding', () =>
    withServices('project', ALL_ON, async () => {
      users = await Promise.all(
        Array.from({ length: PLAN.users }, async (_, i) => {
          const user = await seeding(() => registerUser(server, `seed${i}`));
          const material = await keyMaterial(user);
          await createKeyPair(server, keyserver, user, material);
          return { ...user, privateKey: material.keys.privateKey, material };
        }),
      );
      fresh =
        mode === 'quick'
          ? []
          : await Promise.all(
              Array.from({ length: 2 * PLAN.countFlows }, async (_, i) => {
                const user = await seeding(() => registerUser(server, `create${i}`));
                return { ...user, material: await keyMaterial(user) };
              }),
            );
    }),
  );

  // --- Timed flows, project and baseline in turn.
  const flows = {
    'key fetch': async (worker) => {
      const user = users[worker % users.length];
      const started = performance.now();
      const { accessToken } = await server.post('/api/user/access-token', { token: user.sessionToken });
      await keyserver.get(`/api/keys/${user.userId}`, { token: accessToken });
      return performance.now() - started;
    },
    'session challenge': async (worker) => {
      const user = users[worker % users.length];
      const issued = performance.now();
      const challenge = await server.post('/api/user/session-challenge', { token: user.sessionToken });
      const issuedMs = performance.now() - issued;
      // Opening is the client's work: outside the flow's server time.
      const answer = await answerOf(challenge, user.privateKey);
      const answered = performance.now();
      await server.post('/api/user/session-challenge/answer', { token: user.sessionToken, body: answer });
      return issuedMs + performance.now() - answered;
    },
  };
  if (profile) {
    let profiled;
    // Where the key fetch's time goes, in each service: a CPU profile under the load, summed by self time.
    const dir = `bench/profiles/${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await withServices(
      args.has('--baseline') ? 'baseline' : 'modules',
      ALL_ON,
      async (processes) => {
        const profilers = await Promise.all(processes.map((p) => inspectorProfiler(p, dir)));
        await timed({
          flow: flows['key fetch'],
          concurrency: CONCURRENCY,
          warmupMs: PLAN.warmupMs,
          measureMs: 0,
          processes,
        });
        await Promise.all(profilers.map((p) => p.start()));
        profiled = await timed({
          flow: flows['key fetch'],
          concurrency: CONCURRENCY,
          warmupMs: 0,
          measureMs: PLAN.measureMs,
          processes,
        });
        await Promise.all(profilers.map((p) => p.stop()));
      },
      ['--inspect=127.0.0.1:0'],
    );
    console.log(JSON.stringify({ flows: profiled.flows, ...summariseProfiles(dir) }, null, 2));
  } else await measure(users, fresh, flows);
} finally {
  await server.close();
  await keyserver.close();
  await databases?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  await dropRedisKeys();
}

if (!profile) report();

async function measure(users, fresh, flows) {
  await phase('timed flows', async () => {
    for (let round = 0; round < PLAN.rounds; round++) {
      for (const side of ['project', 'baseline']) {
        await withServices(side, ALL_ON, async (processes) => {
          for (const [name, flow] of Object.entries(flows)) {
            const run = await timed({ flow, concurrency: CONCURRENCY, ...plan(), processes });
            record(name, side, run);
          }
        });
      }
    }
  });

  await phase('issuing and overload', () =>
    withServices('project', ALL_ON, async (processes) => {
      const serverOnly = processes.filter((p) => p.name === 'server');
      const issue = (path) => async (worker) => {
        await server.post(path, { token: users[worker % users.length].sessionToken });
      };
      const tokens = await timed({
        flow: issue('/api/user/access-token'),
        concurrency: CONCURRENCY,
        ...plan(),
        processes: serverOnly,
      });
      const challenges = await timed({
        flow: issue('/api/user/session-challenge'),
        concurrency: CONCURRENCY,
        ...plan(),
        processes: serverOnly,
      });
      record('issue access token', 'project', tokens);
      record('issue session challenge', 'project', challenges);
      results.checks.challengeCpuOverToken = challenges.cpuSecondsPer1000.server / tokens.cpuSecondsPer1000.server;

      // --- Past saturation: four times the flows in flight. The services answer 503 + Retry-After rather than queue.
      if (mode === 'full') {
        const run = await timed({ flow: flows['key fetch'], concurrency: 4 * CONCURRENCY, ...plan(), processes });
        record(OVERLOAD, 'project', run);
      }
    }),
  );
  results.checks.sealsPerSecondOneCore = await phase('seals', sealsPerSecond);

  // --- Count-based flows, bound by scrypt (login, commit) at the hashing concurrency.
  const loginFlow = (i) => {
    const user = users[i % users.length];
    return server.post('/api/auth/login', { body: { email: user.email, password: user.password } });
  };
  const changes = mode === 'quick' ? undefined : await phase('client wrapping', () => countedChanges(users, fresh));
  await phase('counted flows', async () => {
    for (const side of ['project', 'baseline']) {
      await withServices(side, ALL_ON, async (processes) => {
        const run = { count: PLAN.countFlows, concurrency: HASH_CONCURRENCY, processes };
        record('login', side, await counted({ flow: loginFlow, ...run }));
        if (!changes) return;
        record('create keypair', side, await counted({ flow: changes[side].create, ...run }));
        record('key change', side, await counted({ flow: changes[side].change, ...run }));
      });
    }
  });

  results.checks.coldStartMs = await phase('cold starts', coldStarts);
  if (mode === 'full') {
    results.checks.featureCosts = await phase('feature costs', () => featureCosts(flows['key fetch']));
    results.checks.loginFlood = await phase('login flood', () =>
      withServices('project', ALL_ON, (processes) => loginFlood(users[0], processes)),
    );
    if (databases) results.checks.pruning = await phase('pruning', () => pruningUnderLoad(flows['key fetch']));
  }
}

/** Runs one part of the benchmark and keeps how long it took. */
async function phase(name, work) {
  const began = performance.now();
  try {
    return await work();
  } finally {
    (results.phaseSeconds ??= {})[name] = Math.round((performance.now() - began) / 100) / 10;
  }
}

/**
 * Pruning under the key fetch (PostgreSQL): a backlog of 200,000 expired
 * access tokens, with both services pruning every second, against the same
 * flow with no backlog just before. How fast the backlog went, and what it
 * cost the flow.
 */
async function pruningUnderLoad(flow) {
  const BACKLOG = 200_000;
  const run = (extraEnv) =>
    withServices(
      'project',
      ALL_ON,
      (processes) => timed({ flow, concurrency: CONCURRENCY, ...plan(), processes }),
      [],
      extraEnv,
    );
  const db = new pg.Client({ connectionString: databases.server });
  await db.connect();
  // Backdated an hour: the flows' own expired tokens are minutes old at most.
  const backlog = async () =>
    Number(
      (await db.query(`SELECT count(*) AS n FROM access_tokens WHERE expires_at < now() - interval '30 minutes'`))
        .rows[0].n,
    );
  try {
    const quiet = await run({});
    const { rows } = await db.query(`SELECT id, user_id FROM sessions LIMIT 1`);
    await db.query(
      `INSERT INTO access_tokens (token_hash, user_id, session_id, expires_at)
       SELECT sha256(('bench-backlog-' || i)::bytea), $1, $2, now() - interval '1 hour' FROM generate_series(1, $3) i`,
      [rows[0].user_id, rows[0].id, BACKLOG],
    );
    await db.query(`ANALYZE access_tokens`);
    const began = performance.now();
    const pruning = await run({ PRUNE_INTERVAL_SECONDS: '1' });
    const seconds = (performance.now() - began) / 1000;
    const left = await backlog();
    return {
      backlog: BACKLOG,
      left,
      rowsPerSecond: (BACKLOG - left) / seconds,
      quiet: { flowsPerSecond: quiet.flowsPerSecond, p99Ms: quiet.p99Ms },
      pruning: { flowsPerSecond: pruning.flowsPerSecond, p99Ms: pruning.p99Ms, failures: pruning.failures },
      cost: 1 - pruning.flowsPerSecond / quiet.flowsPerSecond,
    };
  } finally {
    await db.end();
  }
}

/**
 * Issue 7's promise: 200 wrong-secret logins kept in flight (bench/login-flood.mjs,
 * a process of its own) leave GET /api/user/me with a p99 under 3x its idle
 * p99, because hashing runs with bounded concurrency and a bounded queue.
 */
async function loginFlood(user, processes) {
  const me = () => server.get('/api/user/me', { token: user.sessionToken });
  const measureMe = () => timed({ flow: me, concurrency: 10, ...plan(), processes });
  const idle = await measureMe();
  const flood = fork(new URL('./login-flood.mjs', import.meta.url), [`${SERVER}/api/auth/login`, user.email, '200']);
  await new Promise((resolve) => flood.once('message', resolve));
  const flooded = await measureMe();
  const answered = new Promise((resolve) => flood.once('message', resolve));
  flood.send('stop');
  const logins = await answered;
  flood.kill();
  return { idleP99Ms: idle.p99Ms, floodedP99Ms: flooded.p99Ms, ratio: flooded.p99Ms / idle.p99Ms, logins };
}

/**
 * What each part of the defenses and operations work costs the key fetch:
 * all on, then each one off in turn, in the same rounds. "Limits on" counts
 * every request in Redis with limits nothing reaches; "off" is RATE_LIMITS=off.
 * Logs off is LOG_LEVEL=warn; metrics off is no METRICS_TOKEN (nothing served, nothing timed).
 */
/**
 * The create-keypair and key-change flows of each side, the same number each:
 * create keypair on the users registered for it, key change on the seeded
 * users (one change after another per user), its new blobs wrapped ahead.
 */
async function countedChanges(users, fresh) {
  // Each change re-wraps a seeded key under a new password, computed ahead: enough for both sides.
  const changes = await Promise.all(
    Array.from({ length: 2 * PLAN.countFlows }, async (_, i) => {
      const user = users[i % users.length];
      const newPassword = newLoginSecret();
      const blob = await crypto.wrapPrivateKey({
        privateKeyPkcs8: user.material.keys.privateKeyPkcs8,
        password: newPassword,
        userId: user.userId,
        kdf: FAST_KDF,
      });
      return {
        user,
        newPassword,
        blob: {
          encryptedPrivateKey: crypto.toBase64Url(blob.encryptedPrivateKey),
          iv: crypto.toBase64Url(blob.iv),
          salt: crypto.toBase64Url(blob.salt),
          kdf: blob.kdf,
          publicKeyFingerprint: user.material.blobBody.publicKeyFingerprint,
        },
      };
    }),
  );
  const versions = new Map(users.map((user) => [user.userId, 1]));
  // A user's changes one after another: each builds on the version the last one made.
  const turns = new Map();
  const inTurn = (userId, work) => {
    const done = (turns.get(userId) ?? Promise.resolve()).then(work);
    turns.set(
      userId,
      done.catch(() => undefined),
    );
    return done;
  };
  const changeFlow = async ({ user, newPassword, blob }) => {
    const baseVersion = versions.get(user.userId);
    const token = () => server.post('/api/user/access-token', { token: user.sessionToken }).then((t) => t.accessToken);
    const staged = await keyserver.post(`/api/keys/${user.userId}/key-changes`, {
      token: await token(),
      body: { baseVersion, ...blob },
    });
    await server.post('/api/user/key-change', {
      token: user.sessionToken,
      body: {
        keyChangeId: staged.keyChangeId,
        baseVersion,
        receipt: staged.receipt,
        currentPassword: user.password,
        newPassword,
      },
    });
    user.password = newPassword;
    versions.set(user.userId, baseVersion + 1);
    await keyserver.post(`/api/keys/${user.userId}/key-changes/${staged.keyChangeId}/apply`, { token: await token() });
  };
  const createFlow = async (user) => {
    // As the reference client: a fresh login proves the password first, and the stored blob is read back.
    const login = await server.post('/api/auth/login', { body: { email: user.email, password: user.password } });
    const sessionToken = login.sessionToken;
    await server.put('/api/user/public-key', { token: sessionToken, body: user.material.publicKeyBody });
    const first = await server.post('/api/user/access-token', { token: sessionToken });
    await keyserver.post(`/api/keys/${user.userId}`, { token: first.accessToken, body: user.material.blobBody });
    const second = await server.post('/api/user/access-token', { token: sessionToken });
    await keyserver.get(`/api/keys/${user.userId}`, { token: second.accessToken });
    const challenge = await server.post('/api/user/session-challenge', { token: sessionToken });
    const answer = await answerOf(challenge, user.material.keys.privateKey);
    await server.post('/api/user/session-challenge/answer', { token: sessionToken, body: answer });
  };
  const sideOf = (offset) => ({
    create: (i) => createFlow(fresh[offset + i]),
    change: (i) => {
      const { user } = changes[offset + i];
      return inTurn(user.userId, () => changeFlow(changes[offset + i]));
    },
  });
  return { project: sideOf(0), baseline: sideOf(PLAN.countFlows) };
}

async function featureCosts(flow) {
  const configurations = {
    'all on': ALL_ON,
    'limits off': { ...ALL_ON, limits: false },
    'logs off': { ...ALL_ON, logs: false },
    'metrics off': { ...ALL_ON, metrics: false },
  };
  const runs = {};
  for (let round = 0; round < PLAN.rounds; round++) {
    for (const [name, features] of Object.entries(configurations)) {
      await withServices('project', features, async (processes) => {
        const run = await timed({ flow, concurrency: CONCURRENCY, ...plan(), processes });
        (runs[name] ??= []).push(run.flowsPerSecond);
      });
    }
  }
  const on = median(runs['all on']);
  return Object.fromEntries(
    ['limits', 'logs', 'metrics'].map((feature) => {
      const off = median(runs[`${feature} off`]);
      return [feature, { flowsPerSecondOn: on, flowsPerSecondOff: off, cost: 1 - on / off }];
    }),
  );
}

function plan() {
  return { warmupMs: PLAN.warmupMs, measureMs: PLAN.measureMs };
}

function record(flow, side, run) {
  ((results.flows[flow] ??= {})[side] ??= []).push(run);
}

/** Starts the side's two processes, runs `work` with them, and stops them. */
async function withServices(side, features, work, extraNodeArgs = [], extraEnv = {}) {
  const nodeArgs = [...NODE_ARGS, ...extraNodeArgs];
  const env = serviceEnvironment({ secrets, databases, redisPrefix, features });
  Object.assign(env.server, extraEnv);
  Object.assign(env.keyserver, extraEnv);
  if (dataDir) {
    env.server.DATA_DIR = dataDir;
    env.keyserver.DATA_DIR = dataDir;
  }
  const started = [];
  try {
    started.push(await startProcess('server', SCRIPTS[side].server, env.server, `${SERVER}/health/ready`, nodeArgs));
    started.push(
      await startProcess('keyserver', SCRIPTS[side].keyserver, env.keyserver, `${KEYSERVER}/health/ready`, nodeArgs),
    );
    return await work(started);
  } finally {
    for (const p of started.reverse()) await p.stop();
  }
}

/** Spawn → first 200 on /health/ready on the migrated database, five times each (--quick: three), as medians. */
async function coldStarts() {
  const env = serviceEnvironment({ secrets, databases, redisPrefix, features: ALL_ON });
  const times = { server: [], keyserver: [] };
  for (let i = 0; i < PLAN.coldStarts; i++) {
    const s = await startProcess('server', SCRIPTS.project.server, env.server, `${SERVER}/health/ready`, NODE_ARGS);
    times.server.push(s.startMs);
    const k = await startProcess(
      'keyserver',
      SCRIPTS.project.keyserver,
      env.keyserver,
      `${KEYSERVER}/health/ready`,
      NODE_ARGS,
    );
    times.keyserver.push(k.startMs);
    await k.stop();
    await s.stop();
  }
  return { server: median(times.server), keyserver: median(times.keyserver), samples: times };
}

/** The server's sealing alone, on this process's one core. */
async function sealsPerSecond() {
  const { sealSessionChallenge } = await import('../dist/apps/server/libs/crypto/src/node/session-challenge.js');
  const { publicKey } = await crypto.generateKeyPair();
  const token = crypto.generateSessionChallengeToken();
  const bench = new Bench({ time: 1000 });
  bench.add('seal', () =>
    sealSessionChallenge({ publicKey, challengeId: '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21', token }),
  );
  await bench.run();
  return bench.tasks[0].result.throughput.mean;
}

async function dropRedisKeys() {
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Nothing was counted in Redis (it is not running): nothing to drop.
  } finally {
    redis.disconnect();
  }
}

function median(values) {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (!sorted.length) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function machine() {
  const describe = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  };
  return {
    cores: availableParallelism(),
    node: process.version,
    postgres: embedded ? null : describe('psql', ['--version']),
    commit: describe('git', ['rev-parse', '--short', 'HEAD']),
    date: new Date().toISOString(),
  };
}

/** Medians over rounds, ratios project/baseline, the table, and the JSON file. */
function report() {
  const rows = {};
  const summary = {};
  for (const [flow, sides] of Object.entries(results.flows)) {
    const of = (side, pick) => (sides[side] ? median(sides[side].map(pick)) : null);
    const cpu = (side) => of(side, (r) => r.cpuSecondsPer1000.server);
    const rss = (side, name) => (sides[side] ? Math.max(...sides[side].map((r) => r.peakRssMB[name] ?? 0)) : null);
    const s = {};
    for (const side of ['project', 'baseline']) {
      if (!sides[side]) continue;
      s[side] = {
        flowsPerSecond: of(side, (r) => r.flowsPerSecond),
        p50Ms: of(side, (r) => r.p50Ms),
        p99Ms: of(side, (r) => r.p99Ms),
        serverCpuSecondsPer1000: cpu(side),
        keyserverCpuSecondsPer1000: of(side, (r) => r.cpuSecondsPer1000.keyserver ?? null),
        peakRssMB: { server: rss(side, 'server'), keyserver: rss(side, 'keyserver') },
        failures: sides[side].map((r) => r.failures),
      };
    }
    if (s.project && s.baseline) {
      s.ratio = {
        flowsPerSecond: s.project.flowsPerSecond / s.baseline.flowsPerSecond,
        p99Ms: s.project.p99Ms / s.baseline.p99Ms,
        serverCpuSecondsPer1000: s.project.serverCpuSecondsPer1000 / s.baseline.serverCpuSecondsPer1000,
      };
    }
    summary[flow] = s;
    const fmt = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
    rows[flow] = {
      'flows/s': fmt(s.project?.flowsPerSecond, 1),
      'p50 ms': fmt(s.project?.p50Ms, 1),
      'p99 ms': fmt(s.project?.p99Ms, 1),
      'server CPU s/1k': fmt(s.project?.serverCpuSecondsPer1000, 2),
      'RSS MB (srv/ks)': `${fmt(s.project?.peakRssMB.server)}/${fmt(s.project?.peakRssMB.keyserver)}`,
      'baseline flows/s': fmt(s.baseline?.flowsPerSecond, 1),
      'baseline p99': fmt(s.baseline?.p99Ms, 1),
      'x flows/s': fmt(s.ratio?.flowsPerSecond, 2),
      'x p99': fmt(s.ratio?.p99Ms, 2),
      'x CPU': fmt(s.ratio?.serverCpuSecondsPer1000, 2),
    };
  }
  results.summary = summary;
  console.log(
    `\nkeyexchange benchmark: ${mode}, ${results.database}, ${CONCURRENCY} flows in flight (timed), ` +
      `${HASH_CONCURRENCY} (counted); ratios are project/baseline medians over ${PLAN.rounds} round(s)\n`,
  );
  console.table(rows);
  const c = results.checks;
  console.log(
    `session challenge issue / access token issue, server CPU: ${c.challengeCpuOverToken?.toFixed(2)}x; ` +
      `seals/s on one core: ${Math.round(c.sealsPerSecondOneCore)}; ` +
      `cold start (median of 5): server ${Math.round(c.coldStartMs?.server)} ms, keyserver ${Math.round(c.coldStartMs?.keyserver)} ms`,
  );
  const overload = summary[OVERLOAD]?.project;
  if (overload) {
    const shed = overload.failures.map((f) => JSON.stringify(f)).join(', ');
    console.log(
      `${OVERLOAD}: ${overload.flowsPerSecond.toFixed(1)} flows/s served, p99 ${overload.p99Ms.toFixed(0)} ms; not served: ${shed}`,
    );
  }
  if (c.featureCosts) {
    for (const [feature, cost] of Object.entries(c.featureCosts)) {
      console.log(
        `${feature}: ${cost.flowsPerSecondOn.toFixed(1)} key fetches/s on, ${cost.flowsPerSecondOff.toFixed(1)} off: ` +
          `costs ${(100 * cost.cost).toFixed(1)}%`,
      );
    }
  }
  if (c.loginFlood) {
    const f = c.loginFlood;
    console.log(
      `GET /api/user/me p99 idle ${f.idleP99Ms.toFixed(1)} ms, with 200 wrong logins in flight ${f.floodedP99Ms.toFixed(1)} ms ` +
        `(${f.ratio.toFixed(2)}x); logins answered ${JSON.stringify(f.logins)}`,
    );
  }
  if (c.pruning) {
    const p = c.pruning;
    console.log(
      `pruning ${p.backlog} expired access tokens every second under the key fetch: ${Math.round(p.rowsPerSecond)} rows/s ` +
        `(${p.left} left), ${p.pruning.flowsPerSecond.toFixed(1)} key fetches/s against ${p.quiet.flowsPerSecond.toFixed(1)} ` +
        `with no backlog (costs ${(100 * p.cost).toFixed(1)}%), p99 ${p.pruning.p99Ms.toFixed(0)} against ${p.quiet.p99Ms.toFixed(0)} ms`,
    );
  }
  results.seconds = Math.round((performance.now() - benchBegan) / 1000);
  console.log(`${mode} run: ${results.seconds} s (${JSON.stringify(results.phaseSeconds)})`);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/${results.machine.date.replace(/[:.]/g, '-')}-${mode}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`written to ${file}`);
}
