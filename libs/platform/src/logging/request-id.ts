import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A caller's request id is kept only when it cannot carry anything but an id. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The caller's id if it is one, else a new one. */
export function requestIdFrom(req: IncomingMessage): string {
  const offered = req.headers['x-request-id'];
  return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
}

/** pino-http's genReqId: echoed at once, so every answer carries it (a 404, a refused body, a 429). */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req);
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The id the request logger gave this request, or one made now for an app without it. */
export function requestIdOf(req: IncomingMessage & { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : requestIdFrom(req);
}

const requestContext = new AsyncLocalStorage<string>();

/** The id of the request being handled, for the calls it makes to another service. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore();
}

/**
 * Nest middleware, so that it runs after the body is read: a context entered
 * before body-parser would be lost in its stream callbacks.
 */
export function bindRequestId(req: Request, _res: Response, next: NextFunction): void {
  requestContext.run(requestIdOf(req), next);
}
