import type { Request } from 'express';

/** What the logs and metrics say of a request no route took (a 404, a refusal before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The pattern of the route that took the request (`/api/keys/:userId`), never
 * the path itself: ids would make every line and label different. Nest's routes
 * are Express routes, so req.route says; a wildcard one is no API route but a
 * catch-all (Nest's 404 handler, or middleware bound with forRoutes).
 */
export function routePatternOf(req: Request): string | undefined {
  // Express types req.route as `any`.
  const route = req.route as { path: unknown } | undefined;
  const pattern = route ? String(route.path) : undefined;
  return pattern !== undefined && !pattern.includes('*') ? `${req.baseUrl ?? ''}${pattern}` : undefined;
}
