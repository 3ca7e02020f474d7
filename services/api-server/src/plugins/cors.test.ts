import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, redisUrlFor, RedisDb, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let open: Harness;
let restricted: Harness;
let disabled: Harness;

beforeAll(async () => {
  open = await createHarness(REDIS_URL);
  restricted = await createHarness(REDIS_URL, { cors: { origins: ['http://localhost:5000'] } });
  disabled = await createHarness(REDIS_URL, { cors: { origins: [] } });
});
afterAll(async () => {
  await open.close();
  await restricted.close();
  await disabled.close();
});

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/api/v1/strategies/start',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
});

describe('CORS', () => {
  it('is open to any origin in development and exposes the request-id and rate-limit headers', async () => {
    const res = await open.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'http://anything.test' } });
    expect(res.headers['access-control-allow-origin']).toBe('http://anything.test');
    expect(res.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(res.headers['access-control-expose-headers']).toContain('retry-after');
    const pre = await open.app.inject(preflight('http://anything.test'));
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toContain('x-api-key');
  });

  it('allows only the configured origins', async () => {
    const allowed = await restricted.app.inject(preflight('http://localhost:5000'));
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5000');
    const other = await restricted.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'http://evil.test' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers when disabled', async () => {
    const res = await disabled.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'http://localhost:5000' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
