import { describe, expect, it } from 'vitest';
import { ConfigError } from '@btc-research/platform';
import { parseApiKeys, toConfig } from './config.js';
import { DEFAULT_DEV_API_KEY } from './auth/auth-config.js';

const STRONG = 'k7Qv2Xr9Lm4Tz8Wp1Ny6Bd3Hs5Jf0GcE2uA';

describe('toConfig', () => {
  it('defaults to development: port 8000, API keys with the public dev key, open reads, CORS for the dashboard only', () => {
    const c = toConfig({});
    expect(c).toMatchObject({ port: 8000, host: '127.0.0.1', isDefaultDevKey: true, corsOrigins: ['http://localhost:5000', 'http://127.0.0.1:5000'], rateLimit: { max: 100, timeWindowMs: 60_000 } });
    expect(c.operations).toEqual({ isMetricsPublic: true, isDocsPublic: true });
    expect(c.metricsListener).toBeUndefined();
    expect(toConfig({ DASHBOARD_PORT: '18500' }).corsOrigins).toEqual(['http://localhost:18500', 'http://127.0.0.1:18500']);
    expect(c.auth).toMatchObject({ mode: 'api-key', isReadOpen: true, apiKeys: [{ key: DEFAULT_DEV_API_KEY, scopes: ['read', 'control'] }] });
    expect(c.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the documented variables', () => {
    const c = toConfig({
      API_PORT: '9001',
      API_HOST: '0.0.0.0',
      API_KEYS: 'reader-key-0123456789:read, admin-key-0123456789',
      API_OPEN_READS: 'false',
      CORS_ORIGINS: 'http://localhost:5000, https://dash.example',
      REDIS_URL: 'redis://r:6379',
      RATE_LIMIT_MAX: '250',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ port: 9001, host: '0.0.0.0', redisUrl: 'redis://r:6379', corsOrigins: ['http://localhost:5000', 'https://dash.example'], logLevel: 'debug', isDefaultDevKey: false });
    expect(c.auth.isReadOpen).toBe(false);
    expect(c.auth.apiKeys).toEqual([
      { key: 'reader-key-0123456789', scopes: ['read'] },
      { key: 'admin-key-0123456789', scopes: ['read', 'control'] },
    ]);
    expect(c.rateLimit.max).toBe(250);
  });

  it('production refuses to start without a real secret and real keys', () => {
    const base = { NODE_ENV: 'production', API_KEYS: 'prod-key-0123456789abcdef' };
    expect(() => toConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG })).toThrow(/API_KEYS/);
    expect(() => toConfig(base)).toThrow(/JWT_SECRET is required/);
    expect(() => toConfig({ ...base, JWT_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => toConfig({ ...base, JWT_SECRET: 'a'.repeat(40) })).toThrow(/at least 32/);
    expect(() => toConfig({ ...base, JWT_SECRET: STRONG, API_KEYS: `${DEFAULT_DEV_API_KEY}` })).toThrow(ConfigError);
    const ok = toConfig({ ...base, JWT_SECRET: STRONG });
    expect(ok.auth).toMatchObject({ mode: 'jwt', isReadOpen: false, jwtSecret: STRONG });
    expect(ok.corsOrigins).toEqual([]);
  });

  it('rejects unknown values with ConfigError', () => {
    expect(() => toConfig({ API_AUTH_MODE: 'basic' })).toThrow(ConfigError);
    expect(() => toConfig({ API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => toConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => parseApiKeys('short:read')).toThrow(/16 characters/);
    expect(parseApiKeys('dashboard-key-0123456789:read:600')).toEqual([{ key: 'dashboard-key-0123456789', scopes: ['read'], rateLimitMax: 600 }]);
    expect(() => parseApiKeys('dashboard-key-0123456789:read:lots')).toThrow(/rate limit/);
    expect(() => parseApiKeys('long-enough-key-0123:admin')).toThrow(/unknown scope/);
  });

  it('caps the strategies a key runs at 10 by default; API_MAX_RUNNING_PER_KEY=0 lifts the cap', () => {
    expect(toConfig({}).maxRunningStrategiesPerClient).toBe(10);
    expect(toConfig({ API_MAX_RUNNING_PER_KEY: '3' }).maxRunningStrategiesPerClient).toBe(3);
    expect(toConfig({ API_MAX_RUNNING_PER_KEY: '0' }).maxRunningStrategiesPerClient).toBeNull();
    expect(() => toConfig({ API_MAX_RUNNING_PER_KEY: '-1' })).toThrow(ConfigError);
  });

  it('keeps twice the market log retention of 1m candles in memory, so its candle history stops growing with the system\'s age', () => {
    expect(toConfig({}).candleHistoryMaxMinutes).toBe(2 * 24 * 60);
    expect(toConfig({ DATABASE_URL: 'postgres://db/test' }).candleHistoryMaxMinutes).toBe(2 * 72 * 60);
    expect(toConfig({ MARKET_LOG_RETENTION_HOURS: '6' }).candleHistoryMaxMinutes).toBe(2 * 6 * 60);
    // the log keeps everything: the history's own cap applies
    expect(toConfig({ MARKET_LOG_RETENTION_HOURS: '0' }).candleHistoryMaxMinutes).toBeUndefined();
  });

  it('production keeps /metrics and /docs behind a credential unless told otherwise, and can serve metrics on a separate listener', () => {
    const prod = { NODE_ENV: 'production', API_KEYS: 'prod-key-0123456789abcdef', JWT_SECRET: STRONG };
    expect(toConfig(prod)).toMatchObject({ corsOrigins: [], operations: { isMetricsPublic: false, isDocsPublic: false }, metricsListener: undefined });
    expect(toConfig({ ...prod, API_PUBLIC_DOCS: 'true', METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toMatchObject({
      operations: { isMetricsPublic: false, isDocsPublic: true },
      metricsListener: { host: '0.0.0.0', port: 9464 },
    });
    expect(toConfig({ API_HOST: '10.0.0.5', METRICS_PORT: '9464' }).metricsListener).toEqual({ host: '10.0.0.5', port: 9464 });
    expect(() => toConfig({ METRICS_PORT: 'ninety' })).toThrow(ConfigError);
  });
});
