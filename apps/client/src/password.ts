import { read } from 'read';
import { CliError, EXIT } from './cli-error.js';

/**
 * The password: KX_PASSWORD if set; else typed at the terminal without echo
 * (twice when `confirm`, since a typo there would lock a new key for good);
 * else the first line of standard input (for scripts).
 */
export async function readPassword(options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = process.env.KX_PASSWORD;
  if (fromEnv) return fromEnv;
  const password = process.stdin.isTTY ? await typed('Password: ') : await firstLineOfStdin();
  if (!password) throw new CliError('A password is required (type it, or set KX_PASSWORD).', EXIT.usage);
  if (options.confirm && process.stdin.isTTY && (await typed('Repeat the password: ')) !== password) {
    throw new CliError('The two passwords differ; nothing was changed.', EXIT.usage);
  }
  return password;
}

function typed(prompt: string): Promise<string> {
  return read({ prompt, silent: true, replace: '' });
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}
