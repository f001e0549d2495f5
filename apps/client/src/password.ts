import { read } from 'read';
import { CliError, EXIT } from './cli-error.js';

/**
 * The password: KX_PASSWORD if set; else typed at the terminal without echo;
 * else the first line of standard input (for scripts).
 */
export async function readPassword(prompt = 'Password: '): Promise<string> {
  const fromEnv = process.env.KX_PASSWORD;
  if (fromEnv) return fromEnv;
  const password = process.stdin.isTTY ? await read({ prompt, silent: true, replace: '' }) : await firstLineOfStdin();
  if (!password) throw new CliError('A password is required (type it, or set KX_PASSWORD).', EXIT.usage);
  return password;
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}
