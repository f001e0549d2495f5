import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const run = promisify(execFile);

export interface ClientResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One command of the reference client's build (`main`), as its users run it:
 * a process of its own with `env` over this one's; its exit code and output.
 * Whatever it answers, never with a stack trace.
 */
export async function runClient(main: string, args: string[], env: Record<string, string>): Promise<ClientResult> {
  const result = await run(process.execPath, [main, ...args], { env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: ClientResult) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result;
}
