import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/**
 * The project runs on Node 24 LTS even where the machine has an older Node:
 * the exact `node` devDependency puts its binary first on every npm script's
 * PATH, so tests, their workers and the services they spawn all run on it.
 */
describe('toolchain', () => {
  it('runs on the Node the project pins (24 LTS), not the machine’s', () => {
    const pinned = manifest.devDependencies.node;
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
    expect(process.versions.node).toBe(pinned);
  });

  it('spawns child processes (services, the reference client) on the same Node', () => {
    const child = execFileSync(process.execPath, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    expect(child).toBe(manifest.devDependencies.node);
    // What `node` means on the scripts' PATH, as a spawned `node ...` command line finds it.
    expect(execFileSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()).toBe(
      manifest.devDependencies.node,
    );
  });

  it('states the floor in engines and .nvmrc', () => {
    expect(manifest.engines.node).toBe('>=22');
    expect(readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8').trim()).toBe('24');
  });
});
