// npm run client -- <command>: the reference client, run from its build. It is
// rebuilt (nest build client) only when a source it is built from is newer
// than the build, so a call starts at once instead of after a build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'dist/apps/client/apps/client/src/main.js');
const sources = ['apps/client', 'libs/crypto/src', 'libs/contracts/src', 'libs/api-client/src', 'tsconfig.json'];

/** The newest modification time under a file or folder. */
function newest(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

const built = statSync(main, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (sources.some((source) => newest(join(root, source)) > built)) {
  const build = spawnSync('npx', ['nest', 'build', 'client'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(main);
