import type { Server, ServerResponse } from 'node:http';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { Readiness } from '../health/readiness.js';

export interface ShutdownConfig {
  /** SHUTDOWN_DRAIN_MS: how long the service keeps serving once readiness has turned 503. */
  drainMs: number;
  /** SHUTDOWN_TIMEOUT_MS: from the signal, drain included; past it the process exits 1. */
  timeoutMs: number;
}

/**
 * What a started service does on SIGTERM: its readiness answers 503 at
 * once, so a load balancer stops sending; it keeps serving for the drain
 * (none on SIGINT: Ctrl+C at a terminal has no load balancer to wait for); then it stops accepting connections, closes idle
 * kept-alive sockets, answers the requests in flight with `Connection: close`,
 * closes the app (its pool, PGlite and Redis close in their shutdown hooks)
 * and exits 0. Past the timeout, counted from the signal, it exits 1.
 */
export function stopGracefully(app: INestApplication, config: ShutdownConfig, logger: LoggerService): void {
  const server = app.getHttpServer() as Server;
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  // First of the server's listeners: every response is known, and once closing, none keeps its connection.
  server.prependListener('request', (_request, response: ServerResponse) => {
    if (closing) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    const drainMs = signal === 'SIGINT' ? 0 : config.drainMs;
    logger.log(`${signal}: not ready any more; serving ${drainMs} ms more, then stopping`, 'Shutdown');
    app.get(Readiness, { strict: false }).markShuttingDown();
    setTimeout(() => {
      logger.error(
        `Not stopped within SHUTDOWN_TIMEOUT_MS (${config.timeoutMs} ms): exiting now`,
        undefined,
        'Shutdown',
      );
      process.exit(1);
    }, config.timeoutMs).unref();
    setTimeout(() => void stop(), drainMs).unref();
  };

  const stop = async () => {
    closing = true;
    for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
    server.closeIdleConnections();
    try {
      // Stops accepting, waits for the requests in flight, then runs every shutdown hook.
      await app.close();
      logger.log('Stopped', 'Shutdown');
      process.exit(0);
    } catch (error) {
      logger.error(`Stopping failed: ${(error as Error).message}`, (error as Error).stack, 'Shutdown');
      process.exit(1);
    }
  };

  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
