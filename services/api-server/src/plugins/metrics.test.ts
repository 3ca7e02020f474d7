import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../service.js';
import { CONTROL_KEY, READ_KEY, createHarness, devAuth, redisUrlFor, RedisDb, testLogger, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let h: Harness;

beforeAll(async () => {
  h = await createHarness(REDIS_URL, { collectDefaultMetrics: true });
});
afterAll(async () => h.close());

describe('GET /metrics', () => {
  it('exposes request counts and latencies by route template, and process metrics', async () => {
    await h.app.inject({ url: '/api/v1/strategies/active' });
    await h.app.inject({ url: '/api/v1/strategies/unknown-one/stats' });
    await h.app.inject({ url: '/api/v1/strategies/unknown-two/stats' });
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('api_http_requests_total{method="GET",route="/api/v1/strategies/active",status="200"} 1');
    // the id is not a label: both unknown ids land on the route template
    expect(res.body).toContain('api_http_requests_total{method="GET",route="/api/v1/strategies/:id/stats",status="404"} 2');
    expect(res.body).toContain('api_http_request_duration_seconds_bucket');
    expect(res.body).toContain('api_server_process_cpu_user_seconds_total');
    expect(res.body).not.toContain('unknown-one');
  });
});

describe('/metrics and /docs in production', () => {
  const prodAuth = devAuth({ mode: 'jwt', isReadOpen: false, apiKeys: [{ key: CONTROL_KEY, scopes: ['read', 'control'] }, { key: READ_KEY, scopes: ['read'] }] });

  it('need a bearer token with the read scope on the API port', async () => {
    const prod = await createHarness(REDIS_URL, { auth: prodAuth, operations: { isMetricsPublic: false, isDocsPublic: false } });
    try {
      for (const url of ['/metrics', '/docs/json', '/docs']) {
        const res = await prod.app.inject({ url });
        expect(res.statusCode, url).toBe(401);
        expect(res.json().error.code, url).toBe('UNAUTHENTICATED');
      }
      const token = (await prod.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: READ_KEY } })).json().accessToken as string;
      const authorization = `Bearer ${token}`;
      const metrics = await prod.app.inject({ url: '/metrics', headers: { authorization } });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('api_http_requests_total');
      expect((await prod.app.inject({ url: '/docs/json', headers: { authorization } })).statusCode).toBe(200);
      // an API key is not a credential here in production
      expect((await prod.app.inject({ url: '/metrics', headers: { 'x-api-key': READ_KEY } })).statusCode).toBe(401);
    } finally {
      await prod.close();
    }
  });

  it('or are served without a credential on a separate metrics listener only (METRICS_PORT)', async () => {
    const server = await startApiServer({
      host: '127.0.0.1',
      port: 0,
      bus: h.bus,
      store: h.store,
      configDir: h.configDir,
      logger: testLogger,
      auth: prodAuth,
      rateLimit: { max: 1_000, timeWindowMs: 60_000 },
      operations: { isMetricsPublic: false, isDocsPublic: false },
      metricsListener: { host: '127.0.0.1', port: 0 },
      collectDefaultMetrics: false,
    });
    try {
      expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const separate = await fetch(server.metricsUrl!);
      expect(separate.status).toBe(200);
      expect(separate.headers.get('content-type')).toContain('text/plain');
      expect(await separate.text()).toContain('api_http_requests_total{method="GET",route="/metrics",status="401"} 1');
      for (const path of ['/docs/json', '/api/v1/strategies/active', '/']) expect((await fetch(server.metricsUrl!.replace('/metrics', path))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
