import type { DynamicModule } from '@nestjs/common';
import { Logger as NestLogger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { ConfigurationError } from '../config/load-config.js';
import { serveApiDocs, type ApiDocsOptions } from './api-docs.js';
import { stopGracefully, type ShutdownConfig } from './graceful-shutdown.js';
import { configureHttpApp } from './http-platform.module.js';

export interface ServiceDefinition {
  name: string;
  /** Builds the root module from an environment; throws ConfigurationError on bad config. */
  rootModule: (env: NodeJS.ProcessEnv) => DynamicModule;
  docs: ApiDocsOptions;
}

/** What each service's main.ts does: validate config, start, serve docs, say where. */
export async function startService({ name, rootModule, docs }: ServiceDefinition): Promise<void> {
  let root: DynamicModule;
  try {
    root = rootModule(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`${name} cannot start. ${error.message}`);
    process.exit(1);
  }
  let nest: NestExpressApplication;
  try {
    // Logs are held until the app's own logger (LOG_LEVEL, LOG_FORMAT) takes over.
    nest = await NestFactory.create<NestExpressApplication>(root, { bodyParser: false, bufferLogs: true });
  } catch (error) {
    // Found only once the database answers, such as a schema behind the code with MIGRATIONS=skip.
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`${name} cannot start. ${error.message}`);
    process.exit(1);
  }
  nest.useLogger(nest.get(Logger));
  const logger = new NestLogger(name);
  const app = configureHttpApp(nest);
  const config = app.get(ConfigService);
  serveApiDocs(app, docs, { production: config.getOrThrow<boolean>('production') });
  const [port, host] = [config.getOrThrow<number>('port'), config.getOrThrow<string>('host')];
  try {
    await app.listen(port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    logger.error(`${name} cannot start: ${host}:${port} is already in use. Stop what runs there, or set PORT.`);
    await app.close();
    process.exit(1);
  }
  stopGracefully(app, config.getOrThrow<ShutdownConfig>('shutdown'), logger);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  logger.log(`${name} ready on ${url}  Swagger UI: ${url}/docs`);
}
