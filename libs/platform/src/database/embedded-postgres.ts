import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const IN_MEMORY = 'memory://';

/**
 * PostgreSQL-compatible engine (PGlite) for a service run without DATABASE_URL.
 *
 * It is served over the PostgreSQL wire protocol on a loopback port so the
 * service talks to it through the same `pg` driver and migrations as to a real
 * server. PGlite is a single session: the socket server queues statements and
 * keeps an open transaction exclusive to its connection, and the pool in front
 * of it must hold one connection (see `embeddedPoolOptions`).
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly host: string,
    readonly port: number,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    if (dataDir !== IN_MEMORY) mkdirSync(dataDir, { recursive: true });
    const db = await PGlite.create(dataDir === IN_MEMORY ? undefined : dataDir);
    // Two slots: the pool holds one; the other lets it reconnect while the
    // server is still releasing a closed connection.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await server.start();
    const [host, port] = server.getServerConn().split(':');
    return new EmbeddedPostgres(db, server, host, Number(port));
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}

/** `pg` pool settings that keep every query on PGlite's single session. */
export const embeddedPoolOptions = { max: 1, idleTimeoutMillis: 0 } as const;
