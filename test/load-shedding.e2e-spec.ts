import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigurationError } from '@app/platform';
import { closeAll, type RunningApp, startKeyserver, startServer } from './support/apps.js';
import { errorOf } from './support/body.js';

/**
 * A request the service has started on and cannot finish: its headers are
 * sent, its body is not. It stays in progress until the socket closes.
 */
async function heldRequest(url: string, path: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
  );
  onTestFinished(() => void socket.destroy());
  // Let the service take it in before the next request arrives.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return socket;
}

describe('load shedding (MAX_CONCURRENT_REQUESTS)', () => {
  let server: RunningApp;
  let keyserver: RunningApp;
  beforeAll(async () => {
    server = await startServer({ MAX_CONCURRENT_REQUESTS: '2' });
    keyserver = await startKeyserver(server.url, { MAX_CONCURRENT_REQUESTS: '1' });
  });
  afterAll(() => closeAll(keyserver, server));

  it('answers 503 with Retry-After, in the error shape, once the requests in progress reach the limit', async () => {
    await heldRequest(server.url, '/api/auth/login');
    await heldRequest(server.url, '/api/auth/register');
    const response = await server.http().get('/api/user/me').expect(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.headers['x-request-id']).toEqual(expect.any(String));
    expect(errorOf(response)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'The service is busy: retry shortly',
    });
  });

  it('counts a request until its client goes away, then takes new ones', async () => {
    const held = await heldRequest(keyserver.url, `/api/keys/${randomUUID()}`);
    await keyserver.http().get(`/api/keys/${randomUUID()}`).expect(503);
    held.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Past the limit again only once a request is in progress: this one goes through to the guard.
    await keyserver.http().get(`/api/keys/${randomUUID()}`).expect(401);
  });

  it('counts a request until it is answered, then takes new ones', async () => {
    for (let i = 0; i < 5; i++) await keyserver.http().get(`/api/keys/${randomUUID()}`).expect(401);
  });

  it('keeps answering the health probes while busy', async () => {
    await heldRequest(keyserver.url, `/api/keys/${randomUUID()}`);
    await keyserver.http().get(`/api/keys/${randomUUID()}`).expect(503);
    await keyserver.http().get('/health/live').expect(200);
  });

  it.each(['0', '-1', '1.5', 'many', '100001'])('refuses to start with MAX_CONCURRENT_REQUESTS=%s', async (value) => {
    await expect(startServer({ MAX_CONCURRENT_REQUESTS: value })).rejects.toThrow(
      expect.objectContaining({
        constructor: ConfigurationError,
        message: expect.stringContaining('MAX_CONCURRENT_REQUESTS') as string,
      }) as Error,
    );
  });
});
