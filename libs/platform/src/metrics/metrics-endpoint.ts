import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { bearerToken } from '../http/bearer-token.js';
import { sendHttpException } from '../http/http-error.filter.js';
import { routePatternOf, UNMATCHED_ROUTE } from '../http/route-pattern.js';
import type { Metrics } from './metrics.service.js';

const METRICS_PATH = /^\/metrics\/?$/;
const SCRAPE_METHODS = new Set(['GET', 'HEAD']);
const UNAUTHORIZED = 'The metrics need Authorization: Bearer <METRICS_TOKEN>';

/**
 * Times every request, labelled with the route pattern that answered it
 * (`/api/keys/:userId`), never the path itself: a label per user id would
 * grow without bound. Nest's routes are Express routes, so req.route says.
 */
export function recordRequestDuration(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpRequestDuration.startTimer();
    res.on('finish', () => end({ method: req.method, route: routeOf(req, res), status_code: String(res.statusCode) }));
    next();
  };
}

function routeOf(req: Request, res: Response): string {
  return routePatternOf(req) ?? (res.locals.metricsRoute as string | undefined) ?? UNMATCHED_ROUTE;
}

/**
 * GET /metrics on the API's port, when METRICS_TOKEN is set and METRICS_PORT
 * is not; otherwise it goes on to the usual 404. Served here rather than by a
 * controller: no guard, no rate limit, and nothing in the OpenAPI document.
 */
export function serveMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!metrics.servedOnMainPort || !METRICS_PATH.test(req.path) || !SCRAPE_METHODS.has(req.method)) {
      next();
      return;
    }
    res.locals.metricsRoute = '/metrics';
    if (!metrics.authorizes(bearerToken(req))) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendHttpException(res, new UnauthorizedException(UNAUTHORIZED));
      return;
    }
    metrics.exposition().then(({ contentType, body }) => res.type(contentType).send(body), next);
  };
}

/** The METRICS_PORT listener's one handler: /metrics, or the usual error shape. */
export function metricsPortHandler(metrics: Metrics) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (!METRICS_PATH.test(path) || !SCRAPE_METHODS.has(req.method ?? '')) {
      sendError(res, 404, 'This port serves GET /metrics only');
      return;
    }
    if (!metrics.authorizes(bearerToken(req as Request))) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, 401, UNAUTHORIZED);
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType }).end(body);
      },
      () => sendError(res, 500, 'Internal server error'),
    );
  };
}

/** The same `{statusCode, error, message}` as HttpErrorFilter. */
function sendError(res: ServerResponse, statusCode: number, message: string): void {
  res.writeHead(statusCode, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message }));
}
