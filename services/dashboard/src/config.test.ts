import { ConfigError } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { toConfig } from './config.js';

describe('dashboard config', () => {
  it('defaults: port 5000 on every interface, the API on 127.0.0.1:8000, no key, info logs', () => {
    const c = toConfig({});
    expect(c).toEqual({ host: '0.0.0.0', port: 5000, apiUrl: 'http://127.0.0.1:8000', apiKey: undefined, logLevel: 'info', logSystems: [] });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the documented variables', () => {
    const c = toConfig({ DASHBOARD_HOST: '127.0.0.1', DASHBOARD_PORT: '18080', API_URL: 'https://api.example:8443/', API_KEY: 'dash-key-0123456789', LOG_LEVEL: 'debug', LOG_SYSTEMS: 'dashboard, api-server' });
    expect(c).toEqual({ host: '127.0.0.1', port: 18080, apiUrl: 'https://api.example:8443', apiKey: 'dash-key-0123456789', logLevel: 'debug', logSystems: ['dashboard', 'api-server'] });
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => toConfig({ DASHBOARD_PORT: 'eighty' })).toThrow(/DASHBOARD_PORT/);
    expect(() => toConfig({ DASHBOARD_PORT: '70000' })).toThrow(ConfigError);
    expect(() => toConfig({ API_URL: 'api-server:8000' })).toThrow(/API_URL must use http or https/);
    expect(() => toConfig({ API_URL: 'not a url' })).toThrow(/API_URL must be an http\(s\) URL/);
    expect(() => toConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
