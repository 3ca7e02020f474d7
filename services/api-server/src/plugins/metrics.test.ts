import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, redisUrlFor, RedisDb, type Harness } from '../test-support/harness.js';

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
