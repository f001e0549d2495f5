// Processes the benchmark starts (the two services, or the baseline's two), and
// what it reads of them from /proc: CPU seconds and resident memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Starts `node <script>` and resolves once `readyUrl` answers 200, timing
 * spawn → first 200 (the cold start). Its output is kept for a failure's message.
 */
export async function startProcess(name, script, env, readyUrl, args = []) {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...args, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let inspectorUrl;
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
    inspectorUrl ??= /ws:\/\/\S+/.exec(output)?.[0];
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let ready = false;
  exited.then((code) => {
    if (!ready) console.error(`${name} exited with ${code} before it was ready:\n${output}`);
  });
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    ready = await fetch(readyUrl)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const startMs = performance.now() - spawnedAt;
  return {
    name,
    pid: child.pid,
    startMs,
    inspectorUrl: () => inspectorUrl,
    cpuSeconds: () => cpuSeconds(child.pid),
    rssBytes: () => rssBytes(child.pid),
    output: () => output,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function cpuSeconds(pid) {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/**
 * Samples the processes' resident memory every 50 ms until stopped; returns
 * each one's peak. /proc's VmHWM would include start-up, which is not the load.
 */
export function watchMemory(processes) {
  const peaks = new Map(processes.map((p) => [p.name, 0]));
  const sample = () => {
    for (const p of processes) peaks.set(p.name, Math.max(peaks.get(p.name), p.rssBytes()));
  };
  sample();
  const timer = setInterval(sample, 50);
  return () => {
    clearInterval(timer);
    sample();
    return Object.fromEntries(peaks);
  };
}

/** Two fresh databases on the PostgreSQL at `adminUrl`, dropped (with their connections) by `drop()`. */
export async function createDatabases(adminUrl, tag) {
  const names = { server: `kx_bench_${tag}_server`, keyserver: `kx_bench_${tag}_keyserver` };
  const admin = async (statements) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  };
  const drop = () => admin(Object.values(names).map((n) => `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`));
  await drop();
  await admin(Object.values(names).map((n) => `CREATE DATABASE ${n}`));
  const url = (n) => Object.assign(new URL(adminUrl), { pathname: `/${n}` }).toString();
  return { server: url(names.server), keyserver: url(names.keyserver), drop };
}
