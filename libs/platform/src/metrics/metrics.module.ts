import { createServer, type Server } from 'node:http';
import {
  Global,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { applyTimeouts, DEFAULT_HTTP_CONFIG, type HttpConfig } from '../http/hardened-http.js';
import { metricsPortHandler } from './metrics-endpoint.js';
import { Metrics } from './metrics.service.js';

/** METRICS_PORT: a listener of its own, started and stopped with the app. */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Optional() private readonly config?: ConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { port } = this.metrics.config;
    if (port === undefined) return;
    const host = this.config?.get<string>('host') ?? '127.0.0.1';
    const server = createServer(metricsPortHandler(this.metrics));
    applyTimeouts(server, this.config?.get<HttpConfig>('http') ?? DEFAULT_HTTP_CONFIG);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`Metrics on http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // A scraper keeps its connection alive: close it rather than wait for its timeout.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** The app's Metrics, for every module of a service (counted even when /metrics is not served). */
@Global()
@Module({ providers: [Metrics, MetricsListener], exports: [Metrics] })
export class MetricsModule {}
