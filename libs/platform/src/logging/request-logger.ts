import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { pino, type DestinationStream, type LevelWithSilent } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { ConfigurationError } from '../config/load-config.js';
import { isProbePath } from '../http/probe-path.js';
import { routePatternOf, UNMATCHED_ROUTE } from '../http/route-pattern.js';
import { assignRequestId } from './request-id.js';

export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];
export const LOG_FORMATS = ['json', 'pretty'] as const;

export interface LoggingConfig {
  /** LOG_LEVEL */
  level: (typeof LOG_LEVELS)[number];
  /** LOG_FORMAT: one JSON object a line, or coloured lines for a terminal. */
  format: (typeof LOG_FORMATS)[number];
  /** The service, as `name` in every line (both services may share one log). */
  name?: string;
}

export const DEFAULT_LOGGING_CONFIG: LoggingConfig = { level: 'info', format: 'json' };

/**
 * Never logged, should anything log a request, a response or an error whole:
 * credentials, and what body-parser and the database driver keep of the input.
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'err.body',
  'err.parameters',
  'err.driverError',
];

/**
 * The service's pino-http middleware, with the logger everything else writes
 * through (`.logger`). One line a request, at its end: the request id, method,
 * route pattern (never the path: it holds ids, and the query string cursors),
 * status and duration; no header, no body.
 */
export async function createRequestLogger(config: LoggingConfig): Promise<HttpLogger> {
  const logger = pino(
    {
      name: config.name,
      level: config.level,
      redact: { paths: REDACTED, censor: '[redacted]' },
      // Only what the request line needs, should a request or response be logged whole.
      serializers: {
        req: (req: Request) => ({ id: req.id, method: req.method, route: routeOf(req) }),
        res: (res: Response) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
    },
    await destination(config.format),
  );
  return pinoHttp({
    logger,
    genReqId: assignRequestId,
    // The base logger's serializers, not pino-http's (those log every header).
    wrapSerializers: false,
    // In-request lines carry only `reqId`; the request line is built at its end, once the route is known.
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : isProbePath((req as Request).path ?? '') ? 'debug' : 'info',
    customSuccessObject: (req, res, line: RequestLineInput) => requestLine(req, res, line),
    customErrorObject: (req, res, _error, line: RequestLineInput) => requestLine(req, res, line),
    customSuccessMessage: () => 'request completed',
    // The error filter logs the error itself, with its stack.
    customErrorMessage: () => 'request failed',
  });
}

/** What pino-http hands the line builders (typed `any` there): its own fields of the line so far. */
type RequestLineInput = { responseTime?: number };

function requestLine(req: IncomingMessage, res: ServerResponse, line: RequestLineInput): object {
  return {
    method: req.method,
    route: routeOf(req as Request),
    statusCode: res.statusCode,
    responseTime: line.responseTime,
    // The client went away before the answer was sent.
    ...(res.writableFinished ? {} : { aborted: true }),
  };
}

function routeOf(req: Request): string {
  return routePatternOf(req) ?? UNMATCHED_ROUTE;
}

/** Through process.stdout, not straight to its file descriptor: whatever captures the stream sees every line. */
async function destination(format: LoggingConfig['format']): Promise<DestinationStream> {
  if (format === 'json') return batchedStdout;
  let pretty: typeof import('pino-pretty');
  try {
    pretty = (await import('pino-pretty')).default;
  } catch {
    throw new ConfigurationError(
      'LOG_FORMAT=pretty needs pino-pretty, a development dependency: use LOG_FORMAT=json here.',
    );
  }
  return pretty({
    destination: process.stdout,
    colorize: Boolean(process.stdout.isTTY),
    sync: true,
    singleLine: true,
    // A request line reads `request completed GET /api/keys/:userId 200 3ms {"reqId":"..."}`.
    messageFormat: '{if context}[{context}] {end}{msg}{if route} {method} {route} {statusCode} {responseTime}ms{end}',
    ignore: 'pid,hostname,context,method,route,statusCode,responseTime',
  });
}

/**
 * process.stdout, with the lines of one turn of the event loop handed to the
 * OS in one write: stdout to a pipe or file is synchronous, one system call a
 * line, which under load costs more than making the lines. Corked, the stream
 * still sees each line (`write` is called for each), then writes them together
 * at the turn's end, or at exit.
 */
const batchedStdout: DestinationStream = {
  write(line: string): void {
    if (process.stdout.writableCorked === 0) {
      process.stdout.cork();
      setImmediate(uncorkStdout);
    }
    process.stdout.write(line);
  },
};

function uncorkStdout(): void {
  while (process.stdout.writableCorked > 0) process.stdout.uncork();
}

process.once('exit', uncorkStdout);
