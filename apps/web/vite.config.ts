import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const lib = (path: string) => fileURLToPath(new URL(`../../libs/${path}`, import.meta.url));

/**
 * The browser gets WebCrypto code only: an import of the Node-only crypto
 * entry, or of a Node built-in, fails the build (and test/web-bundle checks the output).
 */
function browserOnly(): Plugin {
  return {
    name: 'keyexchange-browser-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === '@app/crypto/node' || source.startsWith('node:') || /libs\/crypto\/src\/node\//.test(source)) {
        this.error(`${importer ?? 'the web app'} imports ${source}, which is Node-only: the browser bundle may not.`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // One build for every deployment: the services' URLs come from /config.json at run time.
  base: '/',
  plugins: [browserOnly()],
  resolve: {
    // Exact names: a prefix match would turn '@app/crypto/node' into a path under the browser entry.
    alias: [
      { find: /^@app\/api-client$/, replacement: lib('api-client/src/index.ts') },
      { find: /^@app\/crypto$/, replacement: lib('crypto/src/index.ts') },
      { find: /^@app\/contracts\/wire$/, replacement: lib('contracts/src/wire.ts') },
      { find: /^crypto$/, replacement: fileURLToPath(new URL('./src/webcrypto.ts', import.meta.url)) },
    ],
  },
  // The worker is bundled on its own: the same guard applies to it.
  worker: { format: 'es', plugins: () => [browserOnly()] },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline script (the policy allows none): the preload polyfill would be one.
    modulePreload: { polyfill: false },
    // No inlined assets as data: URLs (img-src 'self' only).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
