import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { registeredRoutes } from '../app.js';
import { createHarness, redisUrlFor, RedisDb, type Harness } from '../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let h: Harness;

beforeAll(async () => {
  h = await createHarness(REDIS_URL);
});
afterAll(async () => h.close());

/** Fastify's `/:id` → OpenAPI's `/{id}`. */
function toOpenApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

describe('OpenAPI document', () => {
  it('is served at /docs/json and is a valid OpenAPI 3 document (independent validator)', async () => {
    const res = await h.app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.0');
  });

  it('lists every route of the app (except the documentation routes themselves and the CORS preflight)', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = registeredRoutes(h.app).filter((r) => !r.url.startsWith('/docs') && !(r.method === 'OPTIONS' && r.url === '*'));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const missing = routes.filter((r) => !doc.paths[toOpenApiPath(r.url)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    for (const path of ['/api/v1/strategies/active', '/api/v1/strategies/{id}/stats', '/api/v1/strategies/start', '/api/v1/market/data/{symbol}', '/api/v1/configs/validate', '/api/v1/events', '/api/v1/events/ws', '/api/v1/auth/token', '/healthz', '/readyz', '/metrics']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('names every operation with a unique operationId (for generated clients)', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith('/docs'))
      .flatMap(([, ops]) => Object.values(ops).map((o) => o.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents the error shape and the DTOs as shared components', async () => {
    const doc = (await h.app.inject({ url: '/docs/json' })).json() as {
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string }[] }>>;
    };
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ApiError', 'StrategyStats', 'TradePage', 'StrategySummary']));
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['apiKey', 'bearer']);
    const trades = doc.paths['/api/v1/strategies/{id}/trades']?.['get'];
    expect(Object.keys(trades?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '404', '429']));
    expect(trades?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['id', 'limit', 'cursor', 'from', 'to', 'format']));
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await h.app.inject({ url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });
});
