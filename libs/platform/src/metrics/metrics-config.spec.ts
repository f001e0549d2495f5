import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../config/load-config.js';
import { ServiceEnvironment, serviceConfig } from '../config/service-environment.js';

class TestEnvironment extends ServiceEnvironment {
  override PORT = 3000;
}

const BASE = { KEYSERVER_API_KEY: 'k'.repeat(32), DATA_DIR: 'memory://' };
const load = (env: Record<string, string>) => serviceConfig(loadConfig(TestEnvironment, { ...BASE, ...env }), 'server');

describe('metrics configuration', () => {
  it('serves no metrics by default', () => {
    expect(load({}).metrics).toEqual({ tokenHash: undefined, port: undefined });
  });

  it('keeps only the hash of METRICS_TOKEN, and reads METRICS_PORT', () => {
    const token = 't'.repeat(32);
    expect(load({ METRICS_TOKEN: token, METRICS_PORT: '9464' }).metrics).toEqual({
      tokenHash: createHash('sha256').update(token).digest(),
      port: 9464,
    });
  });

  it('refuses a METRICS_TOKEN under 32 characters, naming it', () => {
    const attempt = () => load({ METRICS_TOKEN: 't'.repeat(31) });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/METRICS_TOKEN/);
  });

  it.each(['0', '65536', 'http', '3000'])('refuses METRICS_PORT=%s', (port) => {
    const attempt = () => load({ METRICS_PORT: port });
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/METRICS_PORT/);
  });
});
