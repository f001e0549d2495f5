import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { LoggerModule } from 'nestjs-pino';
import type { HttpLogger } from 'pino-http';
import { bindRequestId } from './request-id.js';
import { createRequestLogger, DEFAULT_LOGGING_CONFIG, type LoggingConfig } from './request-logger.js';

/** The app's pino-http middleware; configureHttpApp mounts it before anything else. */
export const REQUEST_LOGGER = Symbol('REQUEST_LOGGER');

const requestLoggerProvider = {
  provide: REQUEST_LOGGER,
  inject: [{ token: ConfigService, optional: true }],
  // A platform test's app may have no configuration: the defaults, then.
  useFactory: (config?: ConfigService) =>
    createRequestLogger(config?.get<LoggingConfig>('logging') ?? DEFAULT_LOGGING_CONFIG),
};

/**
 * nestjs-pino's Logger, for `app.useLogger(app.get(Logger))`: Nest's logs go
 * to the request logger's pino, and a log made while handling a request
 * carries its `reqId`. nestjs-pino does not mount pino-http itself
 * (`useExisting`): as a Nest middleware it would run after the body parser
 * and the request ceiling, and miss the requests they refuse.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [requestLoggerProvider],
      inject: [REQUEST_LOGGER],
      useFactory: (requestLogger: HttpLogger) => ({ pinoHttp: { logger: requestLogger.logger }, useExisting: true }),
    }),
  ],
})
export class LoggingModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(bindRequestId).forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}

/** The app's request logger, if it has one (a platform test's app may not). */
export function requestLoggerOf(app: NestExpressApplication): HttpLogger | undefined {
  try {
    return app.get<HttpLogger>(REQUEST_LOGGER, { strict: false });
  } catch {
    return undefined;
  }
}
