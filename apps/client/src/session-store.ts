import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError, EXIT } from './cli-error.js';
import { isUuid } from './ids.js';

/** What the client keeps between runs: a session, never a key or a password. */
export interface StoredSession {
  email: string;
  userId: string;
  sessionToken: string;
  expiresAt: string;
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = constants;

/**
 * The session file lives in KX_HOME (default ~/.keyexchange), readable by its
 * owner only. It is never reached through a symbolic link: another local user
 * who could plant one would read the session token, or have us overwrite a file.
 */
export class SessionStore {
  private readonly file: string;

  constructor(private readonly folder = process.env.KX_HOME ?? join(homedir(), '.keyexchange')) {
    this.file = join(folder, 'session.json');
  }

  /**
   * Creates the folder (0700) if needed; refuses one that others can reach, and
   * a session file that is a link. Checked before every save.
   */
  async prepare(): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const info = await stat(this.folder);
    if (!info.isDirectory()) throw new CliError(`${this.folder} (KX_HOME) is not a folder.`, EXIT.failure);
    if (process.getuid && info.uid !== process.getuid()) {
      throw new CliError(`${this.folder} (KX_HOME) belongs to another user; the session token must be kept in a folder of your own.`, EXIT.failure);
    }
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new CliError(
        `${this.folder} (KX_HOME) is open to other users (mode ${mode}); the session token must not be. Run: chmod 700 '${this.folder}'`,
        EXIT.failure,
      );
    }
    const file = await lstat(this.file).catch(() => undefined);
    if (file?.isSymbolicLink()) throw this.linkRefused();
  }

  /** Writes a new file beside the old one, then renames it over: never through a link, never half-written. */
  async save(session: StoredSession): Promise<void> {
    await this.prepare();
    const temporary = join(this.folder, `.session.json.${randomBytes(6).toString('hex')}`);
    const handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(session, null, 2)}\n`);
      await handle.sync();
      await handle.close();
      await rename(temporary, this.file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async load(): Promise<StoredSession | undefined> {
    let text: string;
    try {
      const handle = await open(this.file, O_RDONLY | O_NOFOLLOW);
      try {
        if (!(await handle.stat()).isFile()) throw new CliError(`${this.file} is not a regular file; remove it and log in again.`, EXIT.failure);
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') throw this.linkRefused();
      throw error;
    }
    return parseSession(text, this.file);
  }

  async require(): Promise<StoredSession> {
    const session = await this.load();
    if (!session) throw new CliError('Not signed in. Run `login --email <email>` first.', EXIT.notSignedIn);
    return session;
  }

  async clear(): Promise<void> {
    await rm(this.file, { force: true }); // removes a link itself, never its target
  }

  private linkRefused(): CliError {
    return new CliError(`${this.file} is a symbolic link; the client does not follow one for the session. Remove it and log in again.`, EXIT.failure);
  }
}

/** A session file is ours, but its userId goes into request paths: check its shape like any input. */
function parseSession(text: string, file: string): StoredSession {
  let session: Partial<StoredSession> | undefined;
  try {
    session = JSON.parse(text) as Partial<StoredSession>;
  } catch {
    session = undefined;
  }
  const fields = ['email', 'userId', 'sessionToken', 'expiresAt'] as const;
  if (!session || fields.some((field) => typeof session[field] !== 'string') || !isUuid(session.userId as string)) {
    throw new CliError(`${file} is damaged; remove it and log in again.`, EXIT.failure);
  }
  return session as StoredSession;
}
