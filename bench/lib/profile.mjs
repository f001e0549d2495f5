// Sums a V8 .cpuprofile by self time: the top functions, and the same time
// grouped by where the code lives (a package, Node itself, the project).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function summariseProfiles(dir, top = 15) {
  const out = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const intervalMs = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
    const byFrame = new Map();
    const byPlace = new Map();
    let totalMs = 0;
    for (const node of profile.nodes) {
      const ms = (node.hitCount ?? 0) * intervalMs;
      if (!ms) continue;
      totalMs += ms;
      const { functionName, url, lineNumber } = node.callFrame;
      const frame = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
      byFrame.set(frame, (byFrame.get(frame) ?? 0) + ms);
      const place = placeOf(url, functionName);
      byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    }
    // Node's own work (a write, a hash) charged to the nearest package or project code that asked for it.
    const parentOf = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
    const byAsker = new Map();
    for (const node of profile.nodes) {
      const ms = (node.hitCount ?? 0) * intervalMs;
      if (!ms) continue;
      let asker = node;
      while (asker && !isOwnCode(asker.callFrame.url)) asker = parentOf.get(asker.id);
      const place = asker
        ? placeOf(asker.callFrame.url, asker.callFrame.functionName)
        : placeOf(node.callFrame.url, node.callFrame.functionName);
      byAsker.set(place, (byAsker.get(place) ?? 0) + ms);
    }
    const ranked = (map) =>
      [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, ms]) => ({ name, ms: Math.round(ms), share: `${((100 * ms) / totalMs).toFixed(1)}%` }));
    out[file] = {
      totalMs: Math.round(totalMs),
      frames: ranked(byFrame),
      places: ranked(byPlace),
      askers: ranked(byAsker),
    };
  }
  return out;
}

/** Code of a package or of the project, as opposed to Node's own. */
const isOwnCode = (url) => url.includes('node_modules/') || url.includes('/dist/');

function shortUrl(url) {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 1) : url;
}

function placeOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = /\/dist\/apps\/[^/]+\/(.+?)\/[^/]+\.js$/.exec(url);
  return dist ? dist[1] : url;
}

/**
 * Profiles a process started with `--inspect=127.0.0.1:0` over the inspector
 * protocol, so start-up stays out of the profile: `start()` after the warm-up,
 * `stop()` returns the .cpuprofile, written into `dir`.
 */
export async function inspectorProfiler(processInfo, dir) {
  const url = processInfo.inspectorUrl();
  if (!url) throw new Error(`${processInfo.name} printed no inspector address`);
  const socket = new globalThis.WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map();
  socket.onmessage = (message) => {
    const { id: answered, result, error } = JSON.parse(message.data);
    pending.get(answered)?.(error ? Promise.reject(new Error(error.message)) : result);
  };
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  return {
    start: () => send('Profiler.start'),
    async stop() {
      const { profile } = await send('Profiler.stop');
      socket.close();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${processInfo.name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
