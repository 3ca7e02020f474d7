import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { toConfig } from '../config.js';
import { startApiServer } from '../service.js';
import { CONTROL_KEY, createHarness, devAuth, redisUrlFor, RedisDb, testLogger, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let dev: Harness;
let open: Harness;
let disabled: Harness;

beforeAll(async () => {
  // the development defaults, as main.ts passes them
  dev = await createHarness(REDIS_URL, { cors: { origins: toConfig({}).corsOrigins } });
  open = await createHarness(REDIS_URL, { cors: { origins: ['*'] } });
  disabled = await createHarness(REDIS_URL, { cors: { origins: [] } });
});
afterAll(async () => {
  await dev.close();
  await open.close();
  await disabled.close();
});

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/api/v1/strategies/start',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
});
const start = (headers: Record<string, string>) => ({ method: 'POST' as const, url: '/api/v1/strategies/start', headers: { 'x-api-key': CONTROL_KEY, ...headers }, payload: { configName: 'none.yaml', waitMs: 0 } });

describe('CORS', () => {
  it('allows only the dashboard\'s origin by default in development, and exposes the request-id and rate-limit headers to it', async () => {
    const allowed = await dev.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'http://localhost:5000' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5000');
    expect(allowed.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(allowed.headers['access-control-expose-headers']).toContain('retry-after');
    const pre = await dev.app.inject(preflight('http://127.0.0.1:5000'));
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toContain('x-api-key');
    for (const origin of ['https://evil.example', 'http://localhost:3000', 'null']) {
      expect((await dev.app.inject(preflight(origin))).headers['access-control-allow-origin'], origin).toBeUndefined();
      expect((await dev.app.inject({ url: '/api/v1/strategies/active', headers: { origin } })).headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });

  it('allows any origin when CORS_ORIGINS is "*", and sends no CORS headers when it is empty', async () => {
    const any = await open.app.inject(preflight('http://anything.test'));
    expect(any.headers['access-control-allow-origin']).toBe('http://anything.test');
    const none = await disabled.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'http://localhost:5000' } });
    expect(none.statusCode).toBe(200);
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('cross-site browser requests', () => {
  it('are refused on control routes and the token routes, with the public development key too', async () => {
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'http://localhost:3000' }, { 'sec-fetch-site': 'cross-site' }]) {
      for (const h of [dev, disabled]) {
        const res = await h.app.inject(start({ ...headers, 'x-api-key': 'btc-research-dev-key' }));
        expect(res.statusCode, JSON.stringify(headers)).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
        expect(res.json().error.message).toContain('cross-site request refused');
      }
      const stop = await dev.app.inject({ method: 'POST', url: '/api/v1/strategies/some-id/stop', headers: { 'x-api-key': CONTROL_KEY, ...headers } });
      expect(stop.statusCode).toBe(403);
      const token = await dev.app.inject({ method: 'POST', url: '/api/v1/auth/token', headers, payload: { apiKey: 'btc-research-dev-key' } });
      expect(token.statusCode).toBe(403);
    }
  });

  it('pass from the allowed origins, the API\'s own pages, and clients that are not browsers', async () => {
    // past the guard: the unknown config is what stops them (404)
    for (const headers of [{ origin: 'http://localhost:5000' }, { origin: 'http://api.test', host: 'api.test' }, {}, { 'sec-fetch-site': 'same-origin' }]) {
      const res = await dev.app.inject(start(headers));
      expect(res.statusCode, JSON.stringify(headers)).toBe(404);
      expect(res.json().error.code).toBe('CONFIG_NOT_FOUND');
    }
    expect((await open.app.inject(start({ origin: 'https://anywhere.example' }))).statusCode).toBe(404);
    // reads do not act: a browser on another site gets no CORS headers, so it cannot read the answer
    expect((await dev.app.inject({ url: '/api/v1/strategies/active', headers: { origin: 'https://evil.example' } })).statusCode).toBe(200);
  });

  it('are refused on the WebSocket upgrade, which browsers open without asking CORS', async () => {
    const server = await startApiServer({ host: '127.0.0.1', port: 0, bus: dev.bus, store: dev.store, configDir: dev.configDir, logger: testLogger, auth: devAuth(), rateLimit: { max: 1_000, timeWindowMs: 60_000 }, cors: { origins: toConfig({}).corsOrigins }, collectDefaultMetrics: false });
    const upgrade = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/events/ws`, { origin });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
    try {
      expect(await upgrade('https://evil.example')).toBe(403);
      expect(await upgrade('http://localhost:5000')).toBe(101);
    } finally {
      await server.close();
    }
  });
});
