import type { Server } from 'node:http';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { TrustProxy } from '../rate-limits/rate-limit-config.js';
import type { LargeJsonBodies } from './large-json-bodies.js';

export interface HttpConfig {
  /** Exact browser origins allowed by CORS; empty: CORS stays off. */
  corsOrigins: string[];
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** MAX_CONCURRENT_REQUESTS: past it, load is shed (load-shedding.middleware.ts). */
  maxConcurrentRequests: number;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY); false: the socket's address is the client's. */
  trustProxy: TrustProxy;
  /** Routes that take bodies over JSON_BODY_LIMIT_BYTES, and their limit (a service's own routes; none by default). */
  largeJsonBodies?: LargeJsonBodies;
}

/**
 * The services' defaults, also what an app without configuration (a platform
 * test) gets: far below Node's own (300 s request, 60 s headers). Keep-alive
 * is short, an idle connection being cheap to hold open for an attacker, and
 * below the headers timeout.
 */
export const DEFAULT_HTTP_CONFIG: HttpConfig = {
  corsOrigins: [],
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConcurrentRequests: 128,
  trustProxy: false,
};

/** Swagger UI and its document (served by @nestjs/swagger under /docs). */
const DOCS_PATH = /^\/docs(-json|-yaml)?(\/|$)/i;

/** Helmet's defaults (HSTS, nosniff, no referrer...), and no framing at all. */
const COMMON_HEADERS: HelmetOptions = { frameguard: { action: 'deny' } };

/** The API answers JSON only: a response rendered as a page may load nothing. */
const apiHeaders = helmet({
  ...COMMON_HEADERS,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
  },
});

/**
 * What Swagger UI needs and no more: its own scripts and styles, the inline
 * `<style>` blocks and `style=` attributes of @nestjs/swagger's page, its
 * data: icons, and calls to this origin. No inline script, no eval; and no
 * upgrade-insecure-requests, which would break the page served over plain http.
 */
const docsHeaders = helmet({
  ...COMMON_HEADERS,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
});

/** Security headers on every response; the docs get a CSP Swagger UI can run under. */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  (DOCS_PATH.test(req.path) ? docsHeaders : apiHeaders)(req, res, next);
}

/** API answers carry tokens and keys: no cache may keep them, errors included. Only the docs may be cached. */
export function noStore(req: Request, res: Response, next: NextFunction): void {
  if (!DOCS_PATH.test(req.path)) res.setHeader('Cache-Control', 'no-store');
  next();
}

/** The HTTP settings of the app's configuration, or the defaults when it has none. */
export function httpConfigOf(app: NestExpressApplication): HttpConfig {
  try {
    return app.get(ConfigService, { strict: false }).get<HttpConfig>('http') ?? DEFAULT_HTTP_CONFIG;
  } catch {
    // No ConfigModule in this app.
    return DEFAULT_HTTP_CONFIG;
  }
}

/** CORS for the configured origins only, with what the API's calls need (bearer tokens, not cookies). */
export function enableCorsFor(app: NestExpressApplication, origins: string[]): void {
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    credentials: false,
    maxAge: 600,
  });
}

/**
 * Slowloris: a client gets `headersTimeoutMs` for its headers and
 * `requestTimeoutMs` for the whole request (not the answer), and an idle
 * kept-alive connection is closed after `keepAliveTimeoutMs`. Node checks the
 * first two on an interval (30 s by default, read when the server starts
 * listening), so it runs often enough for the headers timeout to mean something.
 */
export function applyTimeouts(server: Server, config: HttpConfig): void {
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    100,
    Math.floor(config.headersTimeoutMs / 4),
  );
}
