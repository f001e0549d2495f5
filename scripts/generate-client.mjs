// npm run generate:client [-- --check]: the TypeScript clients for both services,
// generated from the committed specs into libs/api-client/src/generated/ (which
// nothing else writes). With --check, nothing is written: it fails when the
// committed client differs from what the specs produce.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from 'openapi-typescript-codegen';

const root = fileURLToPath(new URL('..', import.meta.url));
const target = join(root, 'libs/api-client/src/generated');
const check = process.argv.includes('--check');
const clients = [
  { spec: 'openapi/server.json', folder: 'server', name: 'ServerClient' },
  { spec: 'openapi/keyserver.json', folder: 'keyserver', name: 'KeyserverClient' },
];

const staging = await mkdtemp(join(tmpdir(), 'kx-client-'));
try {
  for (const { spec, folder, name } of clients) {
    const output = join(staging, folder);
    // fetch runs in Node 20 and browsers; --name makes a client class with its own base URL and token.
    await generate({
      input: join(root, spec),
      output,
      httpClient: 'fetch',
      clientName: name,
      useOptions: true,
      useUnionTypes: true,
    });
    await addJsExtensions(output);
  }
  if (check) {
    const stale = await differences(staging, target);
    if (stale.length > 0) {
      console.error(
        `libs/api-client is stale (${stale.slice(0, 5).join(', ')}): run \`npm run generate:client\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log('libs/api-client/src/generated is current.');
  } else {
    await rm(target, { recursive: true, force: true });
    await cp(staging, target, { recursive: true });
    console.log(`wrote ${relative(root, target)}`);
  }
} finally {
  await rm(staging, { recursive: true, force: true });
}

/**
 * The generator writes extensionless relative imports, which Node's ESM
 * resolution (and TypeScript's nodenext) refuses; with `.js` the same files
 * load as ESM, as CommonJS through TypeScript, and in bundlers.
 */
async function addJsExtensions(folder) {
  for (const file of await files(folder)) {
    const text = await readFile(file, 'utf8');
    const fixed = text.replace(/(from\s+'|import\s+')(\.{1,2}\/[^']+?)(?<!\.js)'/g, "$1$2.js'");
    if (fixed !== text) await writeFile(file, fixed);
  }
}

async function files(folder) {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

async function differences(generated, committed) {
  const listing = async (folder) => (await files(folder).catch(() => [])).map((file) => relative(folder, file));
  const [a, b] = [await listing(generated), await listing(committed)];
  const names = [...new Set([...a, ...b])].sort();
  const changed = [];
  for (const name of names) {
    const [x, y] = await Promise.all(
      [generated, committed].map((dir) => readFile(join(dir, name), 'utf8').catch(() => undefined)),
    );
    if (x !== y) changed.push(name);
  }
  return changed;
}
