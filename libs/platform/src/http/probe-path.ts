/** Health probes and metrics scrapes: /health…, /metrics (and anything under them). */
const PROBE_PATH = /^\/(health|metrics)(\/|$)/;

/**
 * Whether a request is a probe's or a scraper's, not a client's. They come
 * every few seconds and matter most when the service is in trouble: never
 * counted by the per-address ceiling, never shed, logged at debug.
 */
export function isProbePath(path: string): boolean {
  return PROBE_PATH.test(path);
}
