// Drives whole flows: timed (closed loop, a fixed number of flows in flight)
// or counted (a fixed number of flows at a fixed concurrency).
import { watchMemory } from './processes.mjs';

/**
 * Runs `flow(worker)` in `concurrency` loops: `warmupMs` unrecorded, then
 * `measureMs` recorded. Reports flows/s, latency percentiles, the processes'
 * CPU seconds per 1,000 flows and their peak RSS over the recorded part, and
 * how the non-2xx answers went (a flow that throws is counted by its message).
 */
export async function timed({ flow, concurrency, warmupMs, measureMs, processes }) {
  let recording = false;
  let stopping = false;
  const latencies = [];
  const failures = {};
  const loop = async (worker) => {
    while (!stopping) {
      const started = performance.now();
      try {
        const latency = await flow(worker);
        if (recording) latencies.push(typeof latency === 'number' ? latency : performance.now() - started);
      } catch (error) {
        if (recording) failures[failureOf(error)] = (failures[failureOf(error)] ?? 0) + 1;
        // As HTTP asks of a client: come back when told (a client that does not is a flood, not a load).
        if (error.retryAfter) await sleep(Math.min(Number(error.retryAfter) * 1000, 2000));
      }
    }
  };
  const loops = Array.from({ length: concurrency }, (_, worker) => loop(worker));
  await sleep(warmupMs);
  const measured = measuring(processes);
  recording = true;
  await sleep(measureMs);
  recording = false;
  const window = measured();
  stopping = true;
  await Promise.all(loops);
  return summarise({ latencies, failures, processes, ...window });
}

/** `count` flows, `concurrency` at a time; `flow(i)` is the i-th. */
export async function counted({ flow, count, concurrency, processes }) {
  let next = 0;
  const latencies = [];
  const failures = {};
  const measured = measuring(processes);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        try {
          const latency = await flow(i);
          latencies.push(typeof latency === 'number' ? latency : performance.now() - started);
        } catch (error) {
          failures[failureOf(error)] = (failures[failureOf(error)] ?? 0) + 1;
        }
      }
    }),
  );
  return summarise({ latencies, failures, processes, ...measured() });
}

/** Starts measuring the processes; the function returned ends it: seconds, CPU seconds of each, peak RSS of each. */
function measuring(processes) {
  const cpuBefore = processes.map((p) => p.cpuSeconds());
  const stopWatching = watchMemory(processes);
  const startedAt = performance.now();
  return () => ({
    seconds: (performance.now() - startedAt) / 1000,
    cpu: processes.map((p, i) => p.cpuSeconds() - cpuBefore[i]),
    peakRss: stopWatching(),
  });
}

function summarise({ latencies, failures, seconds, cpu, peakRss, processes }) {
  latencies.sort((a, b) => a - b);
  const flows = latencies.length;
  return {
    flows,
    flowsPerSecond: flows / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuSecondsPer1000: Object.fromEntries(processes.map((p, i) => [p.name, flows ? (cpu[i] * 1000) / flows : null])),
    peakRssMB: Object.fromEntries(Object.entries(peakRss).map(([name, bytes]) => [name, bytes / 2 ** 20])),
    failures,
  };
}

const percentile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;

/** An answer's status (with Retry-After when there is one), or the error's message. */
function failureOf(error) {
  return error.status ? `${error.status}${error.retryAfter ? ' + Retry-After' : ''}` : error.message;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
