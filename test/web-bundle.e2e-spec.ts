import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const CONFIG = 'apps/web/vite.config.ts';

/**
 * The web app's bundle is browser code only: libs/crypto's Node entry (the
 * server's sealer on node:crypto) and Node's built-ins never reach it, in the
 * page or in the key worker.
 */
describe('the web bundle', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kx-web-bundle-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('holds no Node-only module, in the page or the worker', async () => {
    const outDir = join(scratch, 'out');
    await build({ configFile: CONFIG, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const files = readdirSync(join(outDir, 'assets'));
    expect(files.some((file) => /^key-worker-.*\.js$/.test(file))).toBe(true);
    // Vite's stand-in for a Node built-in it had to leave out.
    expect(files.filter((file) => file.includes('browser-external'))).toEqual([]);
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(outDir, 'assets', file), 'utf8');
      expect(code, file).not.toMatch(/["']node:[a-z_]+["']/);
      expect(code, file).not.toMatch(/\brequire\(/);
    }
  });

  it('fails the build when app code imports the Node-only entry', async () => {
    const entry = join(scratch, 'imports-node.ts');
    writeFileSync(
      entry,
      "import { sealSessionChallenge } from '@app/crypto/node';\nconsole.log(sealSessionChallenge);\n",
    );
    const attempt = build({
      configFile: CONFIG,
      logLevel: 'silent',
      build: { outDir: join(scratch, 'refused'), rollupOptions: { input: entry } },
    });
    await expect(attempt).rejects.toThrow(/imports @app\/crypto\/node, which is Node-only/);
  });
});
