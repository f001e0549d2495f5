// npm run bench [-- --postgres]: throughput and latency of the protocol's hot paths.
//
// Starts the built server and keyserver as real processes (embedded PGlite in
// a temporary folder, or fresh PostgreSQL databases with --postgres), drives
// them over loopback HTTP with autocannon, and times the cryptography with
// tinybench. Numbers are for comparing runs on one machine, not absolutes.
import { fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { Bench } from 'tinybench';

const crypto = await import('../dist/apps/server/libs/crypto/src/index.js');
const usePostgres = process.argv.includes('--postgres');
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER = 'http://127.0.0.1:3100';
const KEYSERVER = 'http://127.0.0.1:3101';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;

const results = [];
const record = (name, perSecond, detail) => results.push({ name, perSecond: Math.round(perSecond), detail });

// --- Cryptography -----------------------------------------------------------
{
  const keys = await crypto.generateKeyPair();
  const token = crypto.generateSessionChallengeToken();
  const challengeId = '8b0f8d2e-2d1b-4c55-9b0a-6f4f9f0d3c21';
  const sealed = await crypto.sealSessionChallenge({ publicKey: keys.publicKey, challengeId, token });
  const bench = new Bench({ time: 2000 });
  bench
    .add('sealSessionChallenge (server)', () =>
      crypto.sealSessionChallenge({ publicKey: keys.publicKey, challengeId, token }),
    )
    .add('openSessionChallenge (client)', () =>
      crypto.openSessionChallenge({ privateKey: keys.privateKey, challengeId, ...sealed }),
    )
    .add('fingerprint', () => crypto.fingerprint(keys.publicKey));
  await bench.run();
  for (const task of bench.tasks)
    record(task.name, task.result.throughput.mean, `mean ${task.result.latency.mean.toFixed(2)} ms`);

  const slow = new Bench({ time: 0, iterations: 5, warmup: false });
  slow
    .add('wrapPrivateKey, default Argon2id (client)', () =>
      crypto.wrapPrivateKey({ privateKeyPkcs8: keys.privateKeyPkcs8, password: 'correct horse', userId: challengeId }),
    )
    .add('deriveLoginSecret, default Argon2id (client)', () =>
      crypto.deriveLoginSecret('a@example.com', 'correct horse'),
    );
  await slow.run();
  for (const task of slow.tasks)
    record(task.name, task.result.throughput.mean, `mean ${task.result.latency.mean.toFixed(0)} ms`);
}

// --- The services -----------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'kx-bench-'));
const databases = usePostgres ? await createDatabases() : undefined;
const apiKey = randomBytes(32).toString('base64url');
const storageKeys = (id) => `${id}:${randomBytes(32).toString('base64url')}`;
const common = {
  ...process.env,
  // Production refuses RATE_LIMITS=off (and the embedded database).
  NODE_ENV: 'development',
  KEYSERVER_API_KEY: apiKey,
  KEYSERVER_STORAGE_KEYS: storageKeys('bench'),
  SERVER_VERIFIER_KEYS: storageKeys('bench'),
  DATA_DIR: dataDir,
  // The limits would refuse the load itself; the hashing queue stays on.
  RATE_LIMITS: 'off',
  // As in production: a JSON line per request, whatever the caller's environment says.
  LOG_FORMAT: 'json',
  // Stopped between runs: no load balancer to wait for.
  SHUTDOWN_DRAIN_MS: '0',
};
const services = [
  start('server', { ...common, PORT: '3100', ...(databases && { DATABASE_URL: databases.server }) }),
  start('keyserver', {
    ...common,
    PORT: '3101',
    SERVER_URL: SERVER,
    ...(databases && { DATABASE_URL: databases.keyserver }),
  }),
];

try {
  await Promise.all(services.map((s) => s.ready));
  const json = { 'content-type': 'application/json' };
  const post = async (url, body, headers = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : response.json();
  };

  const email = `bench-${Date.now()}@example.com`;
  const password = randomBytes(24).toString('base64url');
  const { userId } = await post(`${SERVER}/api/auth/register`, { email, password });
  const { sessionToken } = await post(`${SERVER}/api/auth/login`, { email, password });
  const session = { authorization: `Bearer ${sessionToken}` };
  const keys = await crypto.generateKeyPair();
  await fetch(`${SERVER}/api/user/public-key`, {
    method: 'PUT',
    headers: { ...json, ...session },
    body: JSON.stringify({ algorithm: crypto.KEY_ALGORITHM, publicKey: crypto.toBase64Url(keys.publicKey) }),
  });
  const blob = await crypto.wrapPrivateKey({ privateKeyPkcs8: keys.privateKeyPkcs8, password, userId });
  const { accessToken } = await post(`${SERVER}/api/user/access-token`, undefined, session);
  await post(
    `${KEYSERVER}/api/keys/${userId}`,
    {
      encryptedPrivateKey: crypto.toBase64Url(blob.encryptedPrivateKey),
      iv: crypto.toBase64Url(blob.iv),
      salt: crypto.toBase64Url(blob.salt),
      kdf: blob.kdf,
      publicKeyFingerprint: await crypto.fingerprint(keys.publicKey),
    },
    { authorization: `Bearer ${accessToken}` },
  );

  await load('GET /api/user/me (session lookup)', { url: `${SERVER}/api/user/me`, headers: session });
  await load('POST /api/user/access-token (insert)', {
    url: `${SERVER}/api/user/access-token`,
    method: 'POST',
    headers: session,
  });

  // Each request spends a token, so tokens are minted first and handed out one per request.
  const tokens = [];
  while (tokens.length < 4000) {
    const batch = await Promise.all(
      Array.from({ length: 50 }, () => post(`${SERVER}/api/user/access-token`, undefined, session)),
    );
    tokens.push(...batch.map((t) => t.accessToken));
  }
  const validateTokens = tokens.splice(0, 2000);
  await load('POST /keyserver/user/validate (atomic spend)', {
    url: `${SERVER}/keyserver/user/validate`,
    method: 'POST',
    amount: validateTokens.length,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...json, authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ userId, accessToken: validateTokens.pop() }),
        }),
      },
    ],
  });
  const fetchTokens = tokens;
  await load('GET /api/keys/{userId} (flow 2: guard + validate + read)', {
    url: `${KEYSERVER}/api/keys/${userId}`,
    amount: fetchTokens.length,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${fetchTokens.pop()}` } }) }],
  });

  // scrypt (128 MiB), LOGIN_HASH_CONCURRENCY at a time on libuv's threads: logins are CPU-bound by design.
  const started = performance.now();
  await Promise.all(Array.from({ length: 16 }, () => post(`${SERVER}/api/auth/login`, { email, password })));
  const seconds = (performance.now() - started) / 1000;
  record(
    'POST /api/auth/login (scrypt N=2^17), 16 concurrent',
    16 / seconds,
    `${((seconds * 1000) / 16).toFixed(0)} ms each, amortised`,
  );

  await loginFlood(session, email);
} finally {
  await Promise.all(services.map((s) => s.stop()));
  rmSync(dataDir, { recursive: true, force: true });
  await databases?.drop();
}

console.log(
  `\nkeyexchange benchmark (${usePostgres ? 'PostgreSQL' : 'embedded PGlite'}; ${CONNECTIONS} connections, ${DURATION_S} s per HTTP run)\n`,
);
console.table(
  Object.fromEntries(results.map(({ name, perSecond, detail }) => [name, { 'per second': perSecond, detail }])),
);

/**
 * Issue 7's promise: 200 wrong-secret logins kept in flight leave
 * GET /api/user/me with a p99 under 3x its idle p99, because hashing runs with
 * bounded concurrency and a bounded queue (bench/login-flood.mjs).
 */
async function loginFlood(session, email) {
  const me = { url: `${SERVER}/api/user/me`, headers: session, connections: 10, duration: 5 };
  const idle = await autocannon(me);
  const flood = fork(new URL('./login-flood.mjs', import.meta.url), [`${SERVER}/api/auth/login`, email, '200']);
  await new Promise((resolve) => flood.once('message', resolve));
  // Let the queue fill before measuring.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const flooded = await autocannon(me);
  const answered = new Promise((resolve) => flood.once('message', resolve));
  flood.send('stop');
  const outcome = await answered;
  flood.kill();
  const answers = Object.entries(outcome)
    .map(([status, count]) => `${count}x ${status}`)
    .join(', ');
  const ratio = flooded.latency.p99 / Math.max(idle.latency.p99, 1);
  record('GET /api/user/me, idle (10 connections)', idle.requests.average, `p99 ${idle.latency.p99} ms`);
  record(
    'GET /api/user/me, 200 wrong logins in flight',
    flooded.requests.average,
    `p99 ${flooded.latency.p99} ms = ${ratio.toFixed(2)}x idle (${ratio < 3 ? 'under' : 'NOT under'} 3x); logins answered ${answers}`,
  );
}

async function load(name, options) {
  // autocannon reports on a 1 s tick; time the last response instead, so short runs are exact.
  let lastResponseAt = 0;
  const requests = (options.requests ?? [{}]).map((request) => ({
    ...request,
    onResponse: () => (lastResponseAt = performance.now()),
  }));
  const startedAt = performance.now();
  const result = await autocannon({
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: DURATION_S }),
    ...options,
    requests,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${name}: ${failed} of ${result.requests.total} requests failed`);
  const seconds = (lastResponseAt - startedAt) / 1000;
  record(name, result.requests.total / seconds, `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
}

function start(name, env) {
  const child = spawn(process.execPath, [`dist/apps/${name}/apps/${name}/src/main.js`], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('ready on') && resolve());
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  const stop = () =>
    new Promise((resolve) =>
      child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
    );
  return { ready, stop };
}

async function createDatabases() {
  const names = { server: `kx_bench_server_${process.pid}`, keyserver: `kx_bench_keyserver_${process.pid}` };
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const statement of sql) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(Object.values(names).map((n) => `CREATE DATABASE ${n}`));
  const url = (n) => Object.assign(new URL(adminUrl), { pathname: `/${n}` }).toString();
  return {
    server: url(names.server),
    keyserver: url(names.keyserver),
    drop: () => admin(Object.values(names).map((n) => `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`)),
  };
}
