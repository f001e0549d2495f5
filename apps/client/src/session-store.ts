import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { normalizeEmail } from '@app/contracts/wire';
import type { KdfParams } from '@app/crypto';
import { CliError, EXIT } from './cli-error.js';
import { isUuid } from './ids.js';

/** What the client keeps between runs: a session, never a key or a password. */
export interface StoredSession {
  email: string;
  userId: string;
  sessionToken: string;
  expiresAt: string;
  /** The KDF parameters the server recommended at login: a key wrapped under weaker ones is wrapped anew after an unlock. */
  kdfRecommended?: KdfCost;
}

export type KdfCost = Pick<KdfParams, 'memoryKiB' | 'iterations' | 'parallelism'>;

/** Device tokens by normalized email: what a login presents so a stranger's guesses do not lock this device out. */
type DeviceTokens = Record<string, string>;

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY } = constants;
/** 32 bytes in base64url, as the server issues them. */
const DEVICE_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The session file and the device tokens live in KX_HOME (default
 * ~/.keyexchange), readable by their owner only. They are never reached
 * through a symbolic link: another local user who could plant one would read
 * a token, or have us overwrite a file. The device tokens outlive logout: the
 * device stays known to the server.
 */
/** Pinned fingerprints by user id, and the highest version seen by secret id. */
export interface Trust {
  pins: Record<string, string>;
  versions: Record<string, number>;
}
type TrustFile = Record<string, Trust>;

function isTrustFile(value: unknown): value is TrustFile {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  return (
    isRecord(value) &&
    Object.values(value).every(
      (trust) =>
        isRecord(trust) &&
        isRecord(trust.pins) &&
        Object.values(trust.pins).every((fp) => typeof fp === 'string' && /^[0-9a-f]{64}$/.test(fp)) &&
        isRecord(trust.versions) &&
        Object.values(trust.versions).every((v) => Number.isSafeInteger(v) && (v as number) >= 1),
    )
  );
}

export class SessionStore {
  private readonly file: string;
  private readonly devicesFile: string;
  private readonly trustFile: string;

  constructor(
    private readonly folder = process.env.KX_HOME ?? join(homedir(), '.keyexchange'),
    private readonly warn: (line: string) => void = (line) => console.error(line),
  ) {
    this.file = join(folder, 'session.json');
    this.devicesFile = join(folder, 'device-tokens.json');
    this.trustFile = join(folder, 'trust.json');
  }

  /**
   * Creates the folder (0700) if needed; refuses one that others can reach, and
   * a session or device token file that is a link. Checked before every save.
   */
  async prepare(): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const info = await stat(this.folder);
    if (!info.isDirectory()) throw new CliError(`${this.folder} (KX_HOME) is not a folder.`, EXIT.failure);
    if (process.getuid && info.uid !== process.getuid()) {
      throw new CliError(
        `${this.folder} (KX_HOME) belongs to another user; the session token must be kept in a folder of your own.`,
        EXIT.failure,
      );
    }
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      throw new CliError(
        `${this.folder} (KX_HOME) is open to other users (mode ${mode}); the session token must not be. Run: chmod 700 '${this.folder}'`,
        EXIT.failure,
      );
    }
    for (const path of [this.file, this.devicesFile, this.trustFile]) {
      const file = await lstat(path).catch(() => undefined);
      if (file?.isSymbolicLink()) throw linkRefused(path);
    }
  }

  async save(session: StoredSession): Promise<void> {
    await this.write(this.file, session);
  }

  async load(): Promise<StoredSession | undefined> {
    const text = await readPrivate(this.file);
    return text === undefined ? undefined : parseSession(text, this.file);
  }

  async require(): Promise<StoredSession> {
    const session = await this.load();
    if (!session) throw new CliError('Not signed in. Run `login --email <email>` first.', EXIT.notSignedIn);
    return session;
  }

  /** Ends the session here; the device token stays. */
  async clear(): Promise<void> {
    await rm(this.file, { force: true }); // removes a link itself, never its target
  }

  /**
   * The device token of this email's last login here, if any. A damaged file
   * counts as none, with a warning: the login goes on, and its token replaces the file.
   */
  async deviceToken(email: string): Promise<string | undefined> {
    const tokens = await this.deviceTokens();
    if (tokens) return Object.hasOwn(tokens, normalizeEmail(email)) ? tokens[normalizeEmail(email)] : undefined;
    this.warn(
      `Warning: ${this.devicesFile} is damaged; logging in without a device token (this login replaces the file).`,
    );
    return undefined;
  }

  /** Keeps the token a login answered for this email, in place of the one it presented. */
  async saveDeviceToken(email: string, deviceToken: string): Promise<void> {
    const tokens = (await this.deviceTokens()) ?? {}; // a damaged file was reported when it was read
    await this.write(this.devicesFile, { ...tokens, [normalizeEmail(email)]: deviceToken });
  }

  /** Forgets this email's device token (its account is gone); a damaged file is left as it is. */
  async forgetDeviceToken(email: string): Promise<void> {
    const tokens = await this.deviceTokens();
    if (!tokens || !Object.hasOwn(tokens, normalizeEmail(email))) return;
    await this.write(
      this.devicesFile,
      Object.fromEntries(Object.entries(tokens).filter(([key]) => key !== normalizeEmail(email))),
    );
  }

  /**
   * What this device knows of other users and secrets, per signed-in account:
   * each user's pinned key fingerprint (trust on first use), and the highest
   * version seen of each secret (a lower one is a rollback). A damaged file is
   * refused: forgetting the pins would trust anything again.
   */
  async trust(ownUserId: string): Promise<Trust> {
    const text = await readPrivate(this.trustFile);
    if (text === undefined) return { pins: {}, versions: {} };
    let all: unknown;
    try {
      all = JSON.parse(text);
    } catch {
      all = undefined;
    }
    if (!isTrustFile(all)) {
      throw new CliError(`${this.trustFile} is damaged; move it aside to start trusting keys afresh.`, EXIT.failure);
    }
    return all[ownUserId] ?? { pins: {}, versions: {} };
  }

  async saveTrust(ownUserId: string, trust: Trust): Promise<void> {
    const text = await readPrivate(this.trustFile);
    const all = text === undefined ? {} : (JSON.parse(text) as TrustFile);
    await this.write(this.trustFile, { ...all, [ownUserId]: trust });
  }

  /** The stored tokens; undefined when the file is damaged. */
  private async deviceTokens(): Promise<DeviceTokens | undefined> {
    const text = await readPrivate(this.devicesFile);
    if (text === undefined) return {};
    let tokens: unknown;
    try {
      tokens = JSON.parse(text);
    } catch {
      return undefined;
    }
    const valid =
      typeof tokens === 'object' &&
      tokens !== null &&
      !Array.isArray(tokens) &&
      Object.values(tokens).every((token) => typeof token === 'string' && DEVICE_TOKEN.test(token));
    return valid ? (tokens as DeviceTokens) : undefined;
  }

  /** Writes a new file beside the old one, then renames it over: never through a link, never half-written. */
  private async write(file: string, content: object): Promise<void> {
    await this.prepare();
    const temporary = join(this.folder, `.${basename(file)}.${randomBytes(6).toString('hex')}`);
    const handle = await open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
      await handle.close();
      await rename(temporary, file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** A file's text, never through a link; undefined when there is none. */
async function readPrivate(file: string): Promise<string | undefined> {
  try {
    const handle = await open(file, O_RDONLY | O_NOFOLLOW);
    try {
      if (!(await handle.stat()).isFile())
        throw new CliError(`${file} is not a regular file; remove it and log in again.`, EXIT.failure);
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw linkRefused(file);
    throw error;
  }
}

function linkRefused(file: string): CliError {
  return new CliError(
    `${file} is a symbolic link; the client does not follow one to a token. Remove it and log in again.`,
    EXIT.failure,
  );
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
  // From an older client, or damaged: the protocol's defaults stand for it.
  if (!isKdfCost(session.kdfRecommended)) delete session.kdfRecommended;
  return session as StoredSession;
}

function isKdfCost(value: unknown): value is KdfCost {
  const cost = value as Partial<KdfCost> | null;
  return (
    typeof cost === 'object' &&
    cost !== null &&
    [cost.memoryKiB, cost.iterations, cost.parallelism].every((n) => Number.isSafeInteger(n) && (n as number) >= 1)
  );
}
