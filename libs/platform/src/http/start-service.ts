import type { DynamicModule } from '@nestjs/common';
import { ConsoleLogger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ConfigurationError } from '../config/load-config.js';
import { serveApiDocs, type ApiDocsOptions } from './api-docs.js';
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
  const production = process.env.NODE_ENV === 'production';
  const app = configureHttpApp(
    await NestFactory.create<NestExpressApplication>(root, {
      bodyParser: false,
      logger: new ConsoleLogger(name, { json: production, colors: !production }),
    }),
  );
  const config = app.get(ConfigService);
  serveApiDocs(app, docs, { production: config.getOrThrow<boolean>('production') });
  const [port, host] = [config.getOrThrow<number>('port'), config.getOrThrow<string>('host')];
  try {
    await app.listen(port, host);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.error(`${name} cannot start: ${host}:${port} is already in use. Stop what runs there, or set PORT.`);
    await app.close();
    process.exit(1);
  }
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  console.log(`${name} ready on ${url}  Swagger UI: ${url}/docs`);
}
