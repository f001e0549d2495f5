import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const IN_MEMORY = 'memory://';

/** Socket folders of engines not stopped yet: removed if the process exits first (a shutdown past its timeout). */
const openSocketDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of openSocketDirs) rmSync(dir, { recursive: true, force: true });
});

// `pg` connects to `<host>/.s.PGSQL.<port>` when host is a directory, and the
// socket server listens on the exact path it is given: name the file that way.
const SOCKET_PORT = 5432;
// sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included.
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * PostgreSQL-compatible engine (PGlite) for a service run without DATABASE_URL.
 *
 * It is served over the PostgreSQL wire protocol so the service talks to it
 * through the same `pg` driver and migrations as to a real server. The wire
 * protocol has no authentication here, so it listens on a Unix socket in a
 * folder only this process's user can enter, never on a TCP port. PGlite is a
 * single session: the socket server queues statements and keeps an open
 * transaction exclusive to its connection, and the pool in front of it must
 * hold one connection (see `embeddedPoolOptions`).
 */
export class EmbeddedPostgres {
  /** `pg`'s host for a Unix socket: the folder holding it. */
  readonly host: string;
  readonly port = SOCKET_PORT;

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly socketDir: string,
    private readonly dataDir: string,
  ) {
    this.host = socketDir;
  }

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const persistent = dataDir !== IN_MEMORY;
    if (persistent) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      restrictToOwner(dataDir);
    }
    // Short and private: mkdtemp creates it 0700.
    const socketDir = mkdtempSync(join(tmpdir(), 'kx-pg-'));
    let db: PGlite | undefined;
    try {
      const path = join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
      if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
        throw new Error(
          `The embedded database's socket path ${path} is longer than a Unix socket path may be: set TMPDIR to a shorter folder.`,
        );
      }
      db = await PGlite.create(persistent ? dataDir : undefined);
      // PGlite's file layer sets its own modes after creating a file (initdb's
      // files come out 0666 whatever the process umask): repair what it wrote.
      if (persistent) restrictToOwner(dataDir);
      // Two slots: the pool holds one; the other lets it reconnect while the
      // server is still releasing a closed connection.
      const server = new PGLiteSocketServer({ db, path, maxConnections: 2 });
      await server.start();
      openSocketDirs.add(socketDir);
      return new EmbeddedPostgres(db, server, socketDir, dataDir);
    } catch (error) {
      await db?.close().catch(() => undefined);
      rmSync(socketDir, { recursive: true, force: true });
      throw error;
    }
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      rmSync(this.socketDir, { recursive: true, force: true });
      openSocketDirs.delete(this.socketDir);
    }
    // Files the engine created while running may be 0644 (its own umask is 022).
    if (this.dataDir !== IN_MEMORY) restrictToOwner(this.dataDir);
  }
}

/** `pg` pool settings that keep every query on PGlite's single session. */
export const embeddedPoolOptions = { max: 1, idleTimeoutMillis: 0 } as const;

/**
 * Makes `dir` and every folder under it 0700 and every file under it 0600.
 * Symbolic links inside are neither followed nor changed (chmod follows them).
 */
function restrictToOwner(dir: string): void {
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) restrictToOwner(path);
    else if (!stat.isSymbolicLink() && (stat.mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  }
}
