import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('..', import.meta.url));
const specs = ['openapi/server.json', 'openapi/keyserver.json'];
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

/** The committed specs pass both linters teams run on contracts they consume, with nothing to report. */
describe('the committed OpenAPI specs, linted', () => {
  it('pass redocly lint (recommended rules) with no error and no warning', async () => {
    // No telemetry nor update check: CI has no internet, and a linter has no business calling home.
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const { stdout, stderr } = await run(bin('redocly'), ['lint', '--format=stylish', ...specs], {
      cwd: repository,
      env,
    });
    const output = `${stdout}${stderr}`;
    expect(output).toContain('Your API descriptions are valid');
    expect(output).not.toMatch(/\b(error|warning)\b/i);
  }, 60_000);

  it('pass spectral lint (spectral:oas) with nothing to report, not even a hint', async () => {
    // --fail-severity=hint: any finding at all fails the command.
    const { stdout } = await run(
      bin('spectral'),
      ['lint', '--ruleset', '.spectral.yaml', '--fail-severity=hint', ...specs],
      { cwd: repository },
    );
    expect(stdout).toMatch(/No results with a severity of 'hint' or higher found!/);
  }, 60_000);
});
