import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with connections:
 * - `pass`: forwards both ways;
 * - `drop`: resets every open connection and every new one, as a database
 *   that restarted or a network that broke;
 * - `stall`: keeps every connection open and forwards nothing either way, as
 *   a database host that froze or a network that blackholes packets.
 */
export type ProxyMode = 'pass' | 'drop' | 'stall';

/**
 * A TCP proxy for fault tests: sits between a service and PostgreSQL, on a
 * loopback port of its own, and breaks the path on request.
 */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client, target));
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.toString();
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    for (const pair of this.pairs) this.apply(pair);
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.mode === 'drop') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
    this.apply(pair);
  }

  private apply({ client, upstream }: { client: Socket; upstream: Socket }): void {
    switch (this.mode) {
      case 'drop':
        client.resetAndDestroy();
        upstream.destroy();
        break;
      case 'stall':
        // Nothing read is nothing forwarded; the kernel's buffers fill and the peers wait.
        client.pause();
        upstream.pause();
        client.unpipe(upstream);
        upstream.unpipe(client);
        break;
      case 'pass':
        if (client.isPaused()) {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
          upstream.resume();
        }
        break;
    }
  }
}
