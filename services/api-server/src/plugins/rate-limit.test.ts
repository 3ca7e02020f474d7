import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CONTROL_KEY, READ_KEY, createHarness, devAuth, redisUrlFor, RedisDb, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.ratelimit);
const LIMIT = { max: 5, timeWindowMs: 60_000 };

describe('rate limit, in memory (embedded mode)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(REDIS_URL, { rateLimit: LIMIT });
  });
  afterAll(async () => h.close());

  it('allows max requests per client per window, then 429 with Retry-After and rate-limit headers', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await h.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': READ_KEY } });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(last?.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.headers['x-ratelimit-limit']).toBe('5');
    expect(last?.headers['x-ratelimit-remaining']).toBe('0');
    expect(last?.json().error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 5 } });
  });

  it('counts each client on its own: another key and anonymous IPs have their own budget', async () => {
    expect((await h.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': CONTROL_KEY } })).statusCode).toBe(200);
    const fromA = await h.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.0.0.1' });
    expect(fromA.statusCode).toBe(200);
    expect(fromA.headers['x-ratelimit-remaining']).toBe('4');
    for (let i = 0; i < 5; i++) await h.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.0.0.2' });
    expect((await h.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.0.0.2' })).statusCode).toBe(429);
    expect((await h.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.0.0.3' })).statusCode).toBe(200);
  });

  it('gives a key its own limit when API_KEYS sets one', async () => {
    const own = await createHarness(REDIS_URL, { rateLimit: LIMIT, auth: devAuth({ apiKeys: [{ key: 'dashboard-key-0123456789', scopes: ['read'], rateLimitMax: 8 }] }) });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 9; i++) codes.push((await own.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': 'dashboard-key-0123456789' } })).statusCode);
      expect(codes).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    } finally {
      await own.close();
    }
  });

  it('does not limit health, metrics and docs', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await h.app.inject({ url: '/healthz', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
    }
  });

  it('counts failed credentials against the IP', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.0.0.7', headers: { 'x-api-key': `bad-key-${i}-0123456789` } })).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('rate limit in Redis (distributed mode)', () => {
  let a: Harness;
  let b: Harness;
  let redisA: Redis;
  let redisB: Redis;
  // a key of this run only: its counter in Redis starts at zero without flushing anything shared
  const runKey = `run-key-${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    redisA = new Redis(REDIS_URL);
    redisB = new Redis(REDIS_URL);
    const auth = devAuth({ apiKeys: [{ key: runKey, scopes: ['read'] }] });
    a = await createHarness(REDIS_URL, { rateLimit: { ...LIMIT, redis: redisA }, auth });
    b = await createHarness(REDIS_URL, { rateLimit: { ...LIMIT, redis: redisB }, auth });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    redisA.disconnect();
    redisB.disconnect();
  });

  it('two api-server instances share one limit per client', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a.app : b.app;
      statuses.push((await app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': runKey } })).statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const onB = await b.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': runKey } });
    expect(onB.statusCode).toBe(429);
    expect(Number(onB.headers['retry-after'])).toBeGreaterThan(0);
    const keys = await redisA.keys('api-rate-limit:*');
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k).not.toContain(runKey);
  });
});

describe('rate limit with Redis unreachable', () => {
  it('lets requests through instead of failing them', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    const h = await createHarness(REDIS_URL, { rateLimit: { ...LIMIT, redis: down } });
    try {
      const res = await h.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': READ_KEY } });
      expect(res.statusCode).toBe(200);
    } finally {
      await h.close();
      down.disconnect();
    }
  });
});
