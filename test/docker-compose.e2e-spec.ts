import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadKeyserverConfig } from '../apps/keyserver/src/core/keyserver-config.js';
import { loadServerConfig } from '../apps/server/src/core/server-config.js';

interface Service {
  image?: string;
  command?: string[];
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  stop_grace_period?: string;
}

/** No Docker engine runs here: this checks what docker-compose.yml promises, as written. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
  const { services } = compose;

  it('runs two databases, one Redis, the two apps and the web app, built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['keyserver', 'keyserver-db', 'redis', 'server', 'server-db', 'web']);
    expect(services.web.build).toMatchObject({ context: '.', args: { SERVICE: 'web' } });
    expect(services.server.build).toMatchObject({ context: '.', args: { SERVICE: 'server' } });
    expect(services.keyserver.build).toMatchObject({ context: '.', args: { SERVICE: 'keyserver' } });
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/FROM .* AS build[\s\S]*FROM /);
  });

  it('publishes only the apps’ ports', () => {
    expect(services.web.ports).toEqual(['3002:3002']);
    expect(services.server.ports).toEqual(['3000:3000']);
    expect(services.keyserver.ports).toEqual(['3001:3001']);
    expect(services['server-db'].ports).toBeUndefined();
    expect(services['keyserver-db'].ports).toBeUndefined();
    expect(services.redis.ports).toBeUndefined();
  });

  it('gives each app its own database, started healthy first', () => {
    for (const db of ['server-db', 'keyserver-db'])
      expect(services[db].healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.server.depends_on).toMatchObject({ 'server-db': { condition: 'service_healthy' } });
    expect(services.keyserver.depends_on).toMatchObject({ 'keyserver-db': { condition: 'service_healthy' } });
    expect(new URL(services.server.environment!.DATABASE_URL).host).toBe('server-db:5432');
    expect(new URL(services.keyserver.environment!.DATABASE_URL).host).toBe('keyserver-db:5432');
  });

  it('keeps both apps’ rate-limit counters in one Redis, started healthy first', () => {
    expect(services.redis.image).toMatch(/^redis:\d/);
    expect(services.redis.healthcheck?.test.join(' ')).toContain('redis-cli ping');
    for (const app of ['server', 'keyserver']) {
      expect(services[app].environment?.REDIS_URL).toBe('redis://redis:6379');
      expect(services[app].depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    }
  });

  it('never lets Redis drop a counter to make room: a full Redis refuses, and limited routes answer 503', () => {
    const command = services.redis.command ?? [];
    const policy = command[command.indexOf('--maxmemory-policy') + 1];
    expect(command).toContain('--maxmemory-policy');
    expect(policy).toBe('noeviction');
  });

  it('passes one required API key to both apps and points the keyserver at the server', () => {
    for (const app of ['server', 'keyserver']) {
      expect(services[app].environment?.KEYSERVER_API_KEY).toMatch(/^\$\{KEYSERVER_API_KEY:\?.+\}$/);
    }
    expect(services.keyserver.environment?.SERVER_URL).toBe('http://server:3000');
  });

  it('lets the web app, as the browser reaches it, call both apps', () => {
    const origins = ['http://localhost:3002', 'http://127.0.0.1:3002'];
    for (const app of ['server', 'keyserver'])
      expect(services[app].environment?.CORS_ORIGINS?.split(',')).toEqual(origins);
    expect(services.web.environment).toMatchObject({
      WEB_SERVER_URL: 'http://localhost:3000',
      WEB_KEYSERVER_URL: 'http://localhost:3001',
    });
  });

  it('gives each app a configuration it accepts in production (the Dockerfile sets NODE_ENV)', () => {
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/ENV NODE_ENV=production /);
    const envOf = (app: string) => ({
      ...services[app].environment,
      NODE_ENV: 'production',
      KEYSERVER_API_KEY: 'k'.repeat(43),
      KEYSERVER_STORAGE_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64url')}`,
      SERVER_VERIFIER_KEYS: `k1:${Buffer.alloc(32, 2).toString('base64url')}`,
    });
    expect(services.server.environment?.SERVER_VERIFIER_KEYS).toMatch(/^\$\{SERVER_VERIFIER_KEYS:\?.+\}$/);
    expect(services.keyserver.environment?.KEYSERVER_STORAGE_KEYS).toMatch(/^\$\{KEYSERVER_STORAGE_KEYS:\?.+\}$/);
    const server = loadServerConfig(envOf('server'));
    const keyserver = loadKeyserverConfig(envOf('keyserver'));
    // Limits on, counted in the shared Redis, each service under its own prefix.
    for (const [config, service] of [
      [server, 'server'],
      [keyserver, 'keyserver'],
    ] as const) {
      expect(config.rateLimits).toMatchObject({
        enabled: true,
        redisUrl: 'redis://redis:6379',
        keyPrefix: `kx:${service}`,
      });
    }
  });

  it('probes each app’s readiness, starts the keyserver once the server is ready, and restarts what stops', () => {
    expect(services.server.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/health/ready');
    expect(services.keyserver.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3001/health/ready');
    expect(services.keyserver.depends_on).toMatchObject({ server: { condition: 'service_healthy' } });
    for (const service of Object.values(services)) expect(service.restart).toBe('unless-stopped');
  });

  it('gives each app longer to stop than its own shutdown timeout (SHUTDOWN_TIMEOUT_MS, 15 s)', () => {
    for (const app of ['server', 'keyserver'])
      expect(parseInt(services[app].stop_grace_period ?? '0', 10)).toBeGreaterThan(15);
  });

  it('builds an image that runs as a non-root user, exposes its port and probes its liveness with node', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^EXPOSE 3000 3001 3002$/m);
    expect(runtime).toMatch(
      /^HEALTHCHECK [\s\S]*"node", "-e", "[^"]*const port = process\.env\.PORT \|\| [^"]*'\/health\/live'/m,
    );
    // Production dependencies only: the build stage prunes the rest before they are copied.
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^FROM node:24-/m);
  });
});
