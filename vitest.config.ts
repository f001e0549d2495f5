import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The same aliases as tsconfig.json's `paths`.
const alias = {
  '@app/api-client': fileURLToPath(new URL('./libs/api-client/src/index.ts', import.meta.url)),
  '@app/crypto': fileURLToPath(new URL('./libs/crypto/src/index.ts', import.meta.url)),
  '@app/contracts/wire': fileURLToPath(new URL('./libs/contracts/src/wire.ts', import.meta.url)),
  '@app/contracts': fileURLToPath(new URL('./libs/contracts/src/index.ts', import.meta.url)),
  '@app/platform': fileURLToPath(new URL('./libs/platform/src/index.ts', import.meta.url)),
};

export default defineConfig({
  // SWC keeps decorator metadata, which esbuild drops and Nest's DI needs.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
