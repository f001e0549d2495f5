import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import type { DataSource } from 'typeorm';

/** METRICS_TOKEN and METRICS_PORT, as the service configuration's `metrics`. */
export interface MetricsConfig {
  /** SHA-256 of METRICS_TOKEN: only the hash is kept, to compare a scraper's bearer with. */
  tokenHash?: Buffer;
  /** METRICS_PORT: /metrics is served there only, not on the API's port. */
  port?: number;
}

/** The counts of the pg pool under TypeORM (the embedded engine is reached through one too). */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The app's Prometheus metrics, in a registry of its own: tests run several
 * apps in one process, and the global registry would refuse the second one's
 * metrics. Always counted, whether or not /metrics is served.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly config: MetricsConfig;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(@Optional() configService?: ConfigService, @Optional() @InjectDataSource() db?: DataSource) {
    this.config = configService?.get<MetricsConfig>('metrics') ?? {};
    // The process's own series sample on timers: not for a registry no one can read.
    if (this.served) collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = this.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern ("unmatched": no route took it)',
      labelNames: ['method', 'route', 'status_code'],
    });
    // Read at each scrape, from the pool itself.
    new Gauge({
      name: 'kx_db_pool_connections',
      help: 'Connections of the database pool, by state (total, idle, waiting: queries queued for one)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const pool = poolOf(db);
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  /** A counter in this app's registry (the same one if it is declared twice). */
  counter<T extends string = string>(configuration: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    return (
      (this.registry.getSingleMetric(configuration.name) as Counter<T> | undefined) ??
      new Counter({ ...configuration, registers: [this.registry] })
    );
  }

  /** A histogram in this app's registry (the same one if it is declared twice). */
  histogram<T extends string = string>(configuration: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    return (
      (this.registry.getSingleMetric(configuration.name) as Histogram<T> | undefined) ??
      new Histogram({ ...configuration, registers: [this.registry] })
    );
  }

  /** Whether /metrics is served at all: it needs METRICS_TOKEN or METRICS_PORT (if not, requests are not timed). */
  get served(): boolean {
    return this.config.tokenHash !== undefined || this.config.port !== undefined;
  }

  /** Served on the API's port: a token is set and no metrics port. */
  get servedOnMainPort(): boolean {
    return this.config.tokenHash !== undefined && this.config.port === undefined;
  }

  /** Whether a scraper's bearer credential may read the metrics; compared in constant time. */
  authorizes(presented: string | undefined): boolean {
    const { tokenHash } = this.config;
    if (!tokenHash) return true;
    if (presented === undefined) return false;
    return timingSafeEqual(createHash('sha256').update(presented).digest(), tokenHash);
  }

  /** The Prometheus text exposition of everything registered. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

function poolOf(db: DataSource | undefined): PoolCounts | undefined {
  if (!db?.isInitialized) return undefined;
  const pool = (db.driver as unknown as { master?: Partial<PoolCounts> }).master;
  return typeof pool?.totalCount === 'number' ? (pool as PoolCounts) : undefined;
}
