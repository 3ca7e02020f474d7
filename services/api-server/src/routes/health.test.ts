import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBus } from '@btc-research/platform';
import { buildApiApp } from '../app.js';
import { createHarness, devAuth, redisUrlFor, RedisDb, testLogger, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let h: Harness;

beforeAll(async () => {
  h = await createHarness(REDIS_URL);
});
afterAll(async () => h.close());

describe('health', () => {
  it('GET /healthz answers ok', async () => {
    const res = await h.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /readyz is ready when Redis and the store answer', async () => {
    const res = await h.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { 'bus:redis': { ok: true, message: 'ok' }, 'store:json': { ok: true, message: 'ok' } } });
  });

  it('GET /readyz is 503 when the bus cannot be reached', async () => {
    // nothing listens on port 1: a real Redis client that cannot connect
    const bus = new RedisBus({ redisUrl: 'redis://127.0.0.1:1', logger: testLogger });
    const app = await buildApiApp({
      bus,
      store: h.store,
      configDir: h.configDir,
      logger: testLogger,
      auth: devAuth(),
      rateLimit: { max: 100, timeWindowMs: 60_000 },
      collectDefaultMetrics: false,
    });
    try {
      const res = await app.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not-ready', checks: { 'bus:redis': { ok: false, message: expect.any(String) } } });
    } finally {
      await app.close().catch(() => undefined);
      await bus.close();
    }
  });

  it('unknown routes get the one error shape', async () => {
    const res = await h.app.inject({ url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'no route GET /api/v1/nothing-here', requestId: res.headers['x-request-id'] } });
  });

  it('marks API responses no-store and nosniff', async () => {
    const res = await h.app.inject({ url: '/api/v1/strategies/active' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('echoes a well-formed X-Request-Id and replaces a malformed one', async () => {
    const ok = await h.app.inject({ url: '/api/v1/strategies/x/status', headers: { 'x-request-id': 'abc-123' } });
    expect(ok.json().error.requestId).toBe('abc-123');
    const bad = await h.app.inject({ url: '/api/v1/strategies/x/status', headers: { 'x-request-id': 'a b\u0001c' } });
    expect(bad.json().error.requestId).not.toBe('a b\u0001c');
  });
});
