import { KeyserverClient, ServerClient } from '@app/api-client';
import { CliError, EXIT } from './cli-error.js';
import { printable } from './printable.js';
import { SessionStore, type StoredSession } from './session-store.js';

export interface Context {
  serverUrl: string;
  keyserverUrl: string;
  sessions: SessionStore;
  /** Step output, with how long each step took. */
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  /** One line of output; what services sent in it is stripped of non-printing characters. */
  say(line: string): void;
}

export function createContext(options: { server?: string; keyserver?: string }): Context {
  return {
    serverUrl: options.server ?? process.env.KX_SERVER_URL ?? 'http://127.0.0.1:3000',
    keyserverUrl: options.keyserver ?? process.env.KX_KEYSERVER_URL ?? 'http://127.0.0.1:3001',
    sessions: new SessionStore(),
    say: (line) => console.log(printable(line)),
    async step(label, work) {
      // At a terminal the step shows while it runs (Argon2id takes a while and reports no progress of its own).
      const live = Boolean(process.stdout.isTTY);
      if (live) process.stdout.write(`  … ${label}`);
      const started = performance.now();
      try {
        const result = await work();
        if (live) process.stdout.write('\r\x1b[2K');
        console.log(`  ✓ ${label} (${Math.round(performance.now() - started)} ms)`);
        return result;
      } catch (error) {
        if (live) process.stdout.write('\n');
        throw error;
      }
    },
  };
}

/** The server client, anonymous or with the stored session. */
export function serverClient(context: Context, session?: Pick<StoredSession, 'sessionToken'>): ServerClient {
  return new ServerClient({ BASE: context.serverUrl, TOKEN: session?.sessionToken });
}

/** A keyserver client whose every call carries a fresh one-time access token. */
export function keyserverClient(context: Context, server: ServerClient): KeyserverClient {
  return new KeyserverClient({
    BASE: context.keyserverUrl,
    TOKEN: async () => (await server.accessTokens.getAccessToken()).accessToken,
  });
}

export function requireEmail(email: string | undefined): string {
  if (!email) throw new CliError('--email is required.', EXIT.usage);
  return email;
}
