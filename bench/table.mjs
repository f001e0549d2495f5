// node bench/table.mjs bench/results/<run>.json: the run as the README's Markdown table.
import { readFileSync } from 'node:fs';

const run = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const fmt = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');
const lines = [
  '| flow | flows/s | p50 ms | p99 ms | server CPU s / 1,000 | peak RSS MB (server / keyserver) | baseline flows/s | baseline p99 ms | × flows/s | × p99 | × server CPU |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const [flow, { project: p, baseline: b, ratio: r }] of Object.entries(run.summary)) {
  lines.push(
    `| ${flow} | ${fmt(p?.flowsPerSecond, 1)} | ${fmt(p?.p50Ms)} | ${fmt(p?.p99Ms)} | ${fmt(p?.serverCpuSecondsPer1000, 2)} | ` +
      `${fmt(p?.peakRssMB.server)} / ${fmt(p?.peakRssMB.keyserver)} | ${fmt(b?.flowsPerSecond, 1)} | ${fmt(b?.p99Ms)} | ` +
      `${fmt(r?.flowsPerSecond, 2)} | ${fmt(r?.p99Ms, 2)} | ${fmt(r?.serverCpuSecondsPer1000, 2)} |`,
  );
}
console.log(lines.join('\n'));
