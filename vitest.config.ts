import swc from 'unplugin-swc';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The same aliases as tsconfig.json's `paths`.
const alias = {
  '@app/api-client': fileURLToPath(new URL('./libs/api-client/src/index.ts', import.meta.url)),
  '@app/crypto/node': fileURLToPath(new URL('./libs/crypto/src/node/index.ts', import.meta.url)),
  '@app/crypto': fileURLToPath(new URL('./libs/crypto/src/index.ts', import.meta.url)),
  '@app/contracts/wire': fileURLToPath(new URL('./libs/contracts/src/wire.ts', import.meta.url)),
  '@app/contracts': fileURLToPath(new URL('./libs/contracts/src/index.ts', import.meta.url)),
  '@app/platform': fileURLToPath(new URL('./libs/platform/src/index.ts', import.meta.url)),
};

const e2e = { globalSetup: ['test/support/global-setup.ts'], testTimeout: 60_000, hookTimeout: 120_000 };

const EMBEDDED_SUITES = [
  'test/support/**/*.e2e-spec.ts',
  'test/protocol.e2e-spec.ts',
  'test/api-client.e2e-spec.ts',
  'test/key-changes.e2e-spec.ts',
  'test/database-copies.e2e-spec.ts',
  'test/shutdown.e2e-spec.ts',
  'test/docker-compose.e2e-spec.ts',
  'test/toolchain.e2e-spec.ts',
  'test/openapi-lint.e2e-spec.ts',
  'test/web-bundle.e2e-spec.ts',
  'test/web-server.e2e-spec.ts',
  'test/secrets.e2e-spec.ts',
];

export default defineConfig({
  // SWC keeps decorator metadata, which esbuild drops and Nest's DI needs.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    // The e2e files wait on services, processes and databases more than they compute: two files at a time even
    // on two cores (Vitest's default there is one), which halves the suites' time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/**/*.e2e-spec.ts'], ...e2e },
      },
      {
        // What `npm test` runs on the embedded database: the suites about it, and the whole protocol walked
        // through the API, the generated client and the reference client's key change. `npm run test:e2e`
        // runs every suite on it; CI runs every suite on PostgreSQL (`npm run test:pg`).
        extends: true,
        test: { name: 'embedded', include: EMBEDDED_SUITES, ...e2e },
      },
    ],
  },
});
