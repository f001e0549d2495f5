import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsconfigPathsBeforeHookFactory } from '@nestjs/cli/lib/compiler/hooks/tsconfig-paths.hook.js';
import ts from 'typescript';

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
