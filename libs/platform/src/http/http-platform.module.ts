import { Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import type { NestExpressApplication, NestExpressBodyParserOptionsMap } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { bodyParserErrors } from './body-parser-errors.middleware.js';
import { applyTimeouts, enableCorsFor, httpConfigOf, noStore, securityHeaders } from './hardened-http.js';
import { HttpErrorFilter } from './http-error.filter.js';
import { shedLoad } from './load-shedding.middleware.js';
import { JsonBodyValidationPipe } from './json-body.pipe.js';
import { RejectUndeclaredInputInterceptor } from './reject-undeclared-input.interceptor.js';
import { requireJsonBody } from './require-json-body.middleware.js';
import { verifyStrictJson } from './strict-json.js';
import { RateLimits } from '../rate-limits/rate-limits.service.js';
import { requestCeiling } from '../rate-limits/request-ceiling.middleware.js';
import { recordRequestDuration, serveMetrics } from '../metrics/metrics-endpoint.js';
import { Metrics } from '../metrics/metrics.service.js';
import { LoggingModule, requestLoggerOf } from '../logging/logging.module.js';

/** Protocol bodies are small; anything larger is refused unread (64 KiB: an operation's spec states any larger limit). */
export const JSON_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Request handling every service shares, registered as APP_* providers so an
 * app built by @nestjs/testing behaves exactly like the one main.ts starts.
 */
@Module({
  imports: [LoggingModule],
  providers: [
    { provide: APP_PIPE, useClass: JsonBodyValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: RejectUndeclaredInputInterceptor },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class HttpPlatformModule {}

/**
 * What cannot be a provider: headers, CORS, timeouts, body parsing and process
 * signals. Call it on every app (main.ts and tests) created with
 * `{ bodyParser: false }`, before it listens.
 */
export function configureHttpApp(app: NestExpressApplication): NestExpressApplication {
  const config = httpConfigOf(app);
  app.disable('x-powered-by');
  // Every answer is no-store: an ETag would cost a hash of each body for a cache that never keeps it.
  app.set('etag', false);
  // req.ip: the socket's address, or X-Forwarded-For as far as the named proxies vouch for it.
  app.set('trust proxy', config.trustProxy);
  // Before anything can answer: every answer has its X-Request-Id, and every request its line.
  const requestLogger = requestLoggerOf(app);
  if (requestLogger) app.use(requestLogger);
  const metrics = providerOf(app, Metrics);
  // Before anything can answer, so that every answer is timed.
  if (metrics?.served) app.use(recordRequestDuration(metrics));
  // First, so that every answer (a 404, a refused body, a preflight) has them.
  app.use(noStore);
  app.use(securityHeaders);
  enableCorsFor(app, config.corsOrigins);
  applyTimeouts(app.getHttpServer(), config);
  // Outside Nest's routing: no guard, no rate limit, not in the OpenAPI document.
  if (metrics) app.use(serveMetrics(metrics));
  // Before any work for the request, after CORS (a browser can read the 503).
  app.use(shedLoad(config.maxConcurrentRequests));
  // Before the body is read: a flood of bodies is refused unread. After CORS, so a browser can read the 429.
  const limits = rateLimitsOf(app);
  if (limits) app.use(requestCeiling(limits));
  app.use(requireJsonBody);
  // Nest's types reserve `verify` for `rawBody: true`, which no app here sets.
  // Routes that take more read their bodies first; the general parser then leaves a read body alone.
  const large = config.largeJsonBodies;
  if (large) {
    const readLarge = express.json({ limit: large.limitBytes, verify: verifyStrictJson });
    app.use((req: Request, res: Response, next: NextFunction) =>
      large.routes.test(`${req.method} ${req.path}`) ? readLarge(req, res, next) : next(),
    );
  }
  const json: NestExpressBodyParserOptionsMap['json'] = { limit: JSON_BODY_LIMIT_BYTES, verify: verifyStrictJson };
  app.useBodyParser('json', json);
  app.use(bodyParserErrors);
  // No enableShutdownHooks(): a started service stops on SIGTERM through stopGracefully (start-service.ts).
  return app;
}

/** The app's rate limits, if it has them (a platform test's app may not). */
function rateLimitsOf(app: NestExpressApplication): RateLimits | undefined {
  try {
    return app.get(RateLimits, { strict: false });
  } catch {
    return undefined;
  }
}

/** An app's provider, if it has it (a platform test's app may not). */
function providerOf<T>(app: NestExpressApplication, token: new (...args: never[]) => T): T | undefined {
  try {
    return app.get(token, { strict: false });
  } catch {
    return undefined;
  }
}
