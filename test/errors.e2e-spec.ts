import type { Server } from 'node:http';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  type INestApplication,
  type LoggerService,
  Post,
  Query,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import { DataSource } from 'typeorm';
import { configureHttpApp, HttpPlatformModule } from '@app/platform';
import { generateKeyPair } from '@app/crypto';
import supertest from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { getAccessToken, passSessionChallenge, putPublicKey } from './support/client.js';
import { bearer, registerAndLogin } from './support/users.js';

/** Collects what Nest logs, to check what a 500 leaves in the log. */
class CapturedLogs implements LoggerService {
  readonly entries: Array<{ level: string; text: string }> = [];
  log = (...args: unknown[]) => this.push('log', args);
  error = (...args: unknown[]) => this.push('error', args);
  warn = (...args: unknown[]) => this.push('warn', args);
  debug = (...args: unknown[]) => this.push('debug', args);
  verbose = (...args: unknown[]) => this.push('verbose', args);
  private push(level: string, args: unknown[]) {
    this.entries.push({ level, text: args.map(String).join('\n') });
  }
  errors() {
    return this.entries.filter((e) => e.level === 'error').map((e) => e.text);
  }
  all() {
    return this.entries.map((e) => e.text).join('\n');
  }
}

const BODY_SECRET = 'body-secret-3c1f9a7e';
const HEADER_SECRET = 'header-secret-8d2b4f60';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INTERNAL_ERROR = { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };

class NoteDto {
  @IsString()
  note: string;
}

/** Routes that fail in each way a handler can, for the platform's filter to answer. */
@Controller()
class FailingController {
  @Post('crash')
  // Takes a query parameter, so that one reaches the handler (an operation refuses those it does not take).
  crash(@Body() _note: NoteDto, @Query('token') _token?: string): never {
    throw new Error('the handler crashed');
  }

  @Get('throw-string')
  throwString(): never {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the filter must survive is a thrown non-Error
    throw 'not an Error';
  }

  @Get('teapot')
  teapot(): never {
    throw new HttpException('No coffee here', 418);
  }

  @Get('conflict')
  conflict(): never {
    throw new HttpException({ message: 'Already there', detail: 'internal detail' }, 409);
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('Not yours', { description: 'A custom error text' });
  }

  @Post('notes')
  note(@Body() note: NoteDto): NoteDto {
    return note;
  }
}

describe('the error filter, on an app that imports HttpPlatformModule', () => {
  const logs = new CapturedLogs();
  let app: INestApplication<Server>;
  const http = () => supertest(app.getHttpServer());
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [HttpPlatformModule],
      controllers: [FailingController],
    }).compile();
    const nest = configureHttpApp(
      moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: logs }),
    );
    // An express middleware that fails reaches the filter through next(err).
    nest.use('/middleware-crash', (_req: unknown, _res: unknown, next: (error: unknown) => void) =>
      next(new Error('middleware failed')),
    );
    app = await nest.init();
  });
  afterAll(() => app?.close());
  beforeEach(() => {
    logs.entries.length = 0;
  });

  it('answers an unexpected error with a bare 500 and the request id, and logs it without body or headers', async () => {
    const response = await http()
      .post('/crash')
      .set('X-Request-Id', 'req-42.a_B')
      .set(bearer(HEADER_SECRET))
      .send({ note: BODY_SECRET });
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL_ERROR);
    expect(response.headers['x-request-id']).toBe('req-42.a_B');
    expect(response.text).not.toMatch(/crashed|\bat .+\.(js|ts):\d+/);

    expect(logs.errors()).toHaveLength(1);
    const [line] = logs.errors();
    expect(line).toContain('req-42.a_B');
    expect(line).toContain('POST /crash');
    // The stack, down to the handler that threw.
    expect(line).toMatch(/Error: the handler crashed\n\s+at .*crash/);
    expect(logs.all()).not.toContain(BODY_SECRET);
    expect(logs.all()).not.toContain(HEADER_SECRET);
  });

  it('logs the path without its query string', async () => {
    await http().post('/crash?token=query-secret').send({ note: 'x' }).expect(500);
    expect(logs.errors()[0]).toContain('POST /crash');
    expect(logs.all()).not.toContain('query-secret');
  });

  it.each([
    ['no request id', undefined],
    ['one with a space', 'req 42'],
    ['one with a newline escape', 'req%0Aforged'],
    ['one over 64 characters', 'a'.repeat(65)],
  ])('makes up a request id when the caller sends %s', async (_case, id) => {
    const request = http().get('/throw-string');
    if (id !== undefined) request.set('X-Request-Id', id);
    const response = await request;
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL_ERROR);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(UUID);
    expect(logs.errors()).toHaveLength(1);
    expect(logs.errors()[0]).toContain(requestId);
    expect(logs.errors()[0]).toContain('GET /throw-string');
    if (id !== undefined) expect(logs.all()).not.toContain(id);
  });

  it('accepts a request id of exactly 64 characters', async () => {
    const id = 'b'.repeat(64);
    const response = await http().get('/throw-string').set('X-Request-Id', id);
    expect(response.headers['x-request-id']).toBe(id);
  });

  it('answers an express middleware error with a bare 500, logged', async () => {
    const response = await http().get('/middleware-crash').set('X-Request-Id', 'mw-1');
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL_ERROR);
    expect(response.headers['x-request-id']).toBe('mw-1');
    expect(logs.errors()).toHaveLength(1);
    expect(logs.errors()[0]).toMatch(/mw-1[\s\S]*Error: middleware failed/);
  });

  it.each([
    ['a string message', '/teapot', { statusCode: 418, error: "I'm a Teapot", message: 'No coffee here' }],
    [
      'an object, keeping only its message',
      '/conflict',
      { statusCode: 409, error: 'Conflict', message: 'Already there' },
    ],
    [
      'a custom error text, as the status text',
      '/forbidden',
      { statusCode: 403, error: 'Forbidden', message: 'Not yours' },
    ],
    ['an unknown route', '/nothing-here', { statusCode: 404, error: 'Not Found', message: 'Cannot GET /nothing-here' }],
  ])('gives an HttpException with %s the documented body, unlogged', async (_case, path, body) => {
    const response = await http().get(path);
    expect(response.status).toBe(body.statusCode);
    expect(response.body).toEqual(body);
    // Every answer carries one (the request logger's), a caller's error included.
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(logs.errors()).toEqual([]);
  });

  it('keeps the validation messages as a list', async () => {
    const response = await http().post('/notes').send({ note: 5 });
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['note must be a string'] });
  });

  it('gives an error from body parsing (an express middleware) the documented body', async () => {
    const response = await http()
      .post('/notes')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ note: 'x'.repeat(100_000) }));
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The request body is too large',
    });
  });
});

/** A real fault on each service: its database goes away under it. */
describe('an unexpected error on the services', () => {
  const logs = new CapturedLogs();
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    // Without rate limits: with them, the lost database is first the counters' store, and answers 503 (fail closed).
    server = await startServer({ RATE_LIMITS: 'off' });
    keyserver = await startKeyserver(server.url, { RATE_LIMITS: 'off' });
    // Both apps log through Nest's shared Logger.
    server.app.useLogger(logs);
  });
  afterAll(() => closeAll(keyserver, server));
  beforeEach(() => {
    logs.entries.length = 0;
  });

  function expectLoggedInternalError(response: supertest.Response, requestId: string, request: string) {
    expect(response.status).toBe(500);
    expect(response.body).toEqual(INTERNAL_ERROR);
    expect(response.headers['x-request-id']).toBe(requestId);
    expect(response.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    const line = logs.errors().find((text) => text.includes(requestId));
    expect(line).toContain(request);
    expect(line).toMatch(/\n\s+at /);
    expect(logs.all()).not.toContain(BODY_SECRET);
  }

  it('answers 500 in the documented shape on the keyserver', async () => {
    const user = await registerAndLogin(server.http);
    const keys = await generateKeyPair();
    await putPublicKey(server, user, keys.publicKey).expect(200);
    await passSessionChallenge(server, user.sessionToken, keys);
    const accessToken = await getAccessToken(server, user);
    await keyserver.app.get(DataSource).destroy();

    const response = await keyserver
      .http()
      .get(`/api/keys/${user.userId}`)
      .set(bearer(accessToken))
      .set('X-Request-Id', 'ks-500');
    expectLoggedInternalError(response, 'ks-500', `GET /api/keys/${user.userId}`);
    expect(logs.all()).not.toContain(accessToken);
  });

  it('answers 500 in the documented shape on the server', async () => {
    const user = await registerAndLogin(server.http);
    await server.app.get(DataSource).destroy();

    // The session guard reads the database before the body is looked at.
    const response = await server
      .http()
      .post('/api/auth/logout')
      .set(bearer(user.sessionToken))
      .set('X-Request-Id', 'server-500')
      .send({ note: BODY_SECRET });
    expectLoggedInternalError(response, 'server-500', 'POST /api/auth/logout');
    expect(logs.all()).not.toContain(user.sessionToken);
  });
});
