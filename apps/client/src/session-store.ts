import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './cli-error.js';

/** What the client keeps between runs: a session, never a key or a password. */
export interface StoredSession {
  email: string;
  userId: string;
  sessionToken: string;
  expiresAt: string;
}

/** The session file lives in KX_HOME (default ~/.keyexchange), readable by its owner only. */
export class SessionStore {
  private readonly file: string;

  constructor(private readonly folder = process.env.KX_HOME ?? join(homedir(), '.keyexchange')) {
    this.file = join(folder, 'session.json');
  }

  async save(session: StoredSession): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    await writeFile(this.file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
    await chmod(this.file, 0o600); // also when the file already existed with wider rights
  }

  async load(): Promise<StoredSession | undefined> {
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    return text ? (JSON.parse(text) as StoredSession) : undefined;
  }

  async require(): Promise<StoredSession> {
    const session = await this.load();
    if (!session) throw new CliError('Not signed in. Run `login --email <email>` first.', EXIT.notSignedIn);
    return session;
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true });
  }
}
