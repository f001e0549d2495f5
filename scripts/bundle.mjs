// node scripts/bundle.mjs [server] [keyserver]: after `nest build`, each service
// as one file (dist/apps/<service>/bundle.mjs) and its entry (main.mjs).
//
// Why: a service loads about 2,400 modules from node_modules at start, and
// resolving, reading and compiling them one by one was most of its cold start
// (spawn → ready 1.6–1.9 s on PostgreSQL); one file, with its compiled code
// cached by Node between starts, comes close to 1 s. The entry turns on Node's
// compile cache before the bundle loads (it cannot do it for itself).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Loaded from node_modules at run time, not bundled. */
const EXTERNAL = [
  // Reads its WebAssembly and data files next to its own modules.
  '@electric-sql/pglite',
  // Serves its own files from its package folder (Swagger UI).
  'swagger-ui-dist',
  // Imported only with LOG_FORMAT=pretty: a development dependency.
  'pino-pretty',
  // Optional packages that Nest, TypeORM and pg try to load and do without.
  '@nestjs/microservices',
  '@nestjs/websockets',
  '@fastify/static',
  'class-transformer/storage',
  'pg-native',
];

/** Bundles the built service whose `nest build` entry is `mainJs` into `outDir`. */
export async function bundleService(mainJs, outDir) {
  await build({
    entryPoints: [mainJs],
    outfile: join(outDir, 'bundle.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    // Nest and class-validator read class names (providers, DTO messages).
    keepNames: true,
    external: EXTERNAL,
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as kxCreateRequire } from 'node:module'; const require = kxCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  writeFileSync(
    join(outDir, 'main.mjs'),
    [
      '// Written by scripts/bundle.mjs. Compiled code is kept between starts (NODE_COMPILE_CACHE, or the OS temporary folder).',
      "import { enableCompileCache } from 'node:module';",
      'enableCompileCache?.();',
      "await import('./bundle.mjs');",
      '',
    ].join('\n'),
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0]?.endsWith('.js')) {
    // node scripts/bundle.mjs <built main.js> <folder>: one service built elsewhere (the production-install test).
    await bundleService(args[0], args[1]);
  } else {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    for (const service of args.length ? args : ['server', 'keyserver']) {
      await bundleService(
        join(root, `dist/apps/${service}/apps/${service}/src/main.js`),
        join(root, `dist/apps/${service}`),
      );
    }
  }
}
