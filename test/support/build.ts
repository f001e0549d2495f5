import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsconfigPathsBeforeHookFactory } from '@nestjs/cli/lib/compiler/hooks/tsconfig-paths.hook.js';
import ts from 'typescript';
import { inject } from 'vitest';

const repository = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Builds an app as `nest build <app>` does (tsc with Nest's path-alias hook),
 * into a private folder: the shared dist/ is not ours to rewrite while others
 * run. Type errors are `npm run typecheck`'s business, not the caller's.
 * Answers the path of the app's entry point (`src/<entry>.js`) in that folder.
 * Without `linkModules`, the caller installs the packages there itself.
 */
export function buildApp(
  app: 'client' | 'server' | 'keyserver',
  outDir: string,
  { entry = 'main', linkModules = true }: { entry?: string; linkModules?: boolean } = {},
): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(repository, `apps/${app}/tsconfig.app.json`),
    { outDir, incremental: false, sourceMap: false, noEmitOnError: false },
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`apps/${app}/tsconfig.app.json did not parse`);
  const program = ts.createProgram(config.fileNames, config.options);
  const { emitSkipped } = program.emit(undefined, undefined, undefined, false, {
    before: [tsconfigPathsBeforeHookFactory(config.options) as ts.TransformerFactory<ts.SourceFile>],
  });
  if (emitSkipped) throw new Error(`tsc emitted nothing for ${app}`);
  if (linkModules) {
    // From here Node finds the app's packages, and reads its files as ESM, as it does in the repository.
    symlinkSync(join(repository, 'node_modules'), join(outDir, 'node_modules'));
    writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  }
  return join(outDir, `apps/${app}/src/${entry}.js`);
}

type App = 'client' | 'server' | 'keyserver';

/** Where a test run keeps the builds its files share; removed by the global teardown. */
export const sharedBuildsFolder = (runId: string): string => join(tmpdir(), `kx-builds-${runId}`);

/**
 * The app's entry point, built once per test run and shared by every file
 * that runs it as a process (in any worker): the first caller builds, the
 * others wait for its mark.
 */
export async function sharedBuild(app: App): Promise<string> {
  const root = sharedBuildsFolder(inject('testRunId'));
  const done = join(root, `${app}.built`);
  mkdirSync(root, { recursive: true });
  try {
    mkdirSync(join(root, app)); // atomic: whoever creates it builds
  } catch {
    for (const began = Date.now(); !existsSync(done); await new Promise((resolve) => setTimeout(resolve, 100))) {
      if (Date.now() - began > 180_000) throw new Error(`The shared build of ${app} did not finish`);
    }
    return readFileSync(done, 'utf8');
  }
  try {
    const main = buildApp(app, join(root, app));
    writeFileSync(done, main);
    return main;
  } catch (error) {
    // Let the next caller try again rather than wait for a build that failed.
    rmSync(join(root, app), { recursive: true, force: true });
    throw error;
  }
}
