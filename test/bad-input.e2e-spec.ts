import { randomUUID } from 'node:crypto';
import { RATE_LIMIT_VARIABLES } from '@app/platform';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, startKeyserver, startServer, TEST_KEYSERVER_API_KEY, type RunningApp } from './support/apps.js';
import { tableChecksums } from './support/bad-input/checksums.js';
import {
  operationsOf,
  readSpec,
  SpecValidator,
  type ServiceName,
  type SpecOperation,
} from './support/bad-input/openapi.js';
import { validPathValue, variantsOf, type Variant } from './support/bad-input/variants.js';
import { createKeyPair, passSessionChallenge, type KeyPair } from './support/client.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/users.js';

/** Every limit at its default (an empty setting is an unset one), but for the ceiling this file would hit. */
const ENV: Record<string, string> = {
  ...Object.fromEntries(Object.values(RATE_LIMIT_VARIABLES).map((variable) => [variable, ''])),
  RATE_LIMIT_REQUESTS_PER_ADDRESS: '1000000/1m',
};
const MIN_VARIANTS = 30;
const SPARE_ACCESS_TOKENS = 20;

const specs = (['server', 'keyserver'] as const).map((service) => {
  const document = readSpec(service);
  return { service, document, validator: new SpecValidator(document), operations: operationsOf(service, document) };
});
const specOf = (service: ServiceName) => specs.find((spec) => spec.service === service)!;
const operations = specs.flatMap((spec) => spec.operations);
const label = (operation: SpecOperation) =>
  `${operation.service} ${operation.operationId} (${operation.method.toUpperCase()} ${operation.path})`;

/**
 * Every operation of both specs, sent malformed in every way its spec lets us
 * build: each answers 400 (413 for a body over the limit) in the error shape,
 * as its spec declares it, and nothing in either database moves.
 */
describe('bad input, generated from the specs', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  let user: TestUser;
  let keys: KeyPair;
  /**
   * Fresh access tokens, issued before the tables are summed: a keyserver
   * request with a valid token gets as far as validation, so what is tested
   * is validation. A refused request leaves its token unspent (only a
   * well-formed one spends it), so one serves an operation's variants until
   * one is answered otherwise; a spare then takes over.
   */
  const accessTokens: string[] = [];
  let accessTokensTaken = 0;
  let accessToken: string | undefined;
  const variants = new Map<SpecOperation, Variant[]>();
  const validPaths = new Map<SpecOperation, Record<string, string>>();
  let before: Record<ServiceName, Record<string, string>>;

  beforeAll(async () => {
    server = await startServer(ENV);
    keyserver = await startKeyserver(server.url, ENV);
    user = await registerAndLogin(server.http);
    // A key pair stored on both services and a secured session: every operation gets as far as its validation.
    keys = await createKeyPair(server, keyserver, user);
    for (const operation of operations) {
      const validPath = Object.fromEntries(
        operation.pathParameters.map((parameter) => [
          parameter.name,
          parameter.name === 'userId' ? user.userId : validPathValue(parameter, randomUUID()),
        ]),
      );
      validPaths.set(operation, validPath);
      const spec = specOf(operation.service);
      variants.set(operation, variantsOf(operation, spec.document, spec.validator, validPath));
    }
    const keyserverOperations = operations.filter((operation) => operation.securityScheme === 'access-token');
    await issueAccessTokens(keyserverOperations.length + SPARE_ACCESS_TOKENS);
    // After the tokens: issuing them is the arrangement, not the bad input.
    before = { server: await tableChecksums(server.app), keyserver: await tableChecksums(keyserver.app) };
  });
  afterAll(() => closeAll(keyserver, server));

  /** From as many secured sessions as RATE_LIMIT_ACCESS_TOKENS_PER_SESSION (at its default) takes. */
  async function issueAccessTokens(count: number): Promise<void> {
    let sessionToken = user.sessionToken;
    while (accessTokens.length < count) {
      const response = await server.http().post('/api/user/access-token').set(bearer(sessionToken));
      if (response.status === 201) {
        accessTokens.push((response.body as { accessToken: string }).accessToken);
        continue;
      }
      expect(response.status).toBe(429);
      sessionToken = await login(server.http, user);
      await passSessionChallenge(server, sessionToken, keys);
    }
  }

  function credentialFor(operation: SpecOperation): string | undefined {
    switch (operation.securityScheme) {
      case undefined:
        return undefined;
      case 'session':
        return user.sessionToken;
      case 'keyserver-api-key':
        return TEST_KEYSERVER_API_KEY;
      case 'access-token':
        // Out of spares, the last one goes on: its variants then fail on their own (403).
        accessToken ??= accessTokens[Math.min(accessTokensTaken++, accessTokens.length - 1)];
        return accessToken;
      default:
        throw new Error(`No credential for the security scheme ${operation.securityScheme}`);
    }
  }

  async function send(operation: SpecOperation, variant: Variant): Promise<Response> {
    const validPath = validPaths.get(operation)!;
    const path = operation.path.replace(
      /\{(\w+)\}/g,
      (_, name: string) => variant.pathParameters?.[name] ?? encodeURIComponent(validPath[name]),
    );
    const app = operation.service === 'server' ? server : keyserver;
    const request = app.http()[operation.method](variant.query === undefined ? path : `${path}?${variant.query}`);
    const credential = credentialFor(operation);
    if (credential) void request.set(bearer(credential));
    if (variant.contentType !== undefined) void request.set('Content-Type', variant.contentType);
    // The bytes as they are: superagent would otherwise serialize a Buffer sent as JSON.
    if (variant.body) void request.serialize((body: unknown) => body as string).send(variant.body);
    return await request;
  }

  /** What is wrong with an answer to a variant: its status, its shape, or what the spec says of that status. */
  function problemsWith(operation: SpecOperation, variant: Variant, response: Response): string[] {
    const problems: string[] = [];
    if (response.status !== variant.status) problems.push(`answered ${response.status}, not ${variant.status}`);
    if (response.status >= 500) problems.push('a 5xx');
    const body = response.body as { statusCode?: unknown; error?: unknown; message?: unknown } | undefined;
    const message = body?.message;
    const shaped =
      /^application\/json\b/.test(String(response.headers['content-type'])) &&
      body?.statusCode === response.status &&
      typeof body.error === 'string' &&
      (typeof message === 'string' || (Array.isArray(message) && message.every((m) => typeof m === 'string')));
    if (!shaped) problems.push('not in the error shape {statusCode, error, message}');
    const declared = operation.responses[String(response.status)];
    const schema = declared?.content?.['application/json']?.schema;
    if (!declared) problems.push(`the spec declares no ${response.status}`);
    else if (!schema) problems.push(`the spec declares no JSON body for ${response.status}`);
    else {
      const mismatch = specOf(operation.service).validator.check(schema, body);
      if (mismatch) problems.push(`the body does not match the spec's ${response.status} schema: ${mismatch}`);
    }
    if (problems.length === 0) return [];
    return [`${label(operation)}, ${variant.name}: ${problems.join('; ')}; body ${response.text.slice(0, 300)}`];
  }

  it.each(operations.map((operation) => [label(operation), operation] as const))(
    '%s answers every malformed variant 400 (413 over the body limit), in the error shape its spec declares',
    async (_label, operation) => {
      const list = variants.get(operation)!;
      expect(list.length, `${label(operation)} has only ${list.length} variants`).toBeGreaterThanOrEqual(MIN_VARIANTS);
      const failures: string[] = [];
      accessToken = undefined;
      for (const variant of list) {
        const response = await send(operation, variant);
        // Not refused: its token may be spent.
        if (response.status !== 400 && response.status !== 413) accessToken = undefined;
        failures.push(...problemsWith(operation, variant, response));
      }
      expect(failures, failures.join('\n')).toEqual([]);
    },
  );

  it('leaves every table of both databases as it was (but for counters, events, spent_at and last_used_at)', async () => {
    expect(await tableChecksums(server.app)).toEqual(before.server);
    expect(await tableChecksums(keyserver.app)).toEqual(before.keyserver);
  });
});
