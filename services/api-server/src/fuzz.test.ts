import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ApiErrorBody } from '@btc-research/contracts';
import { CONTROL_KEY, createHarness, fill, redisUrlFor, RedisDb, strategyRecord, type Harness } from './test-support/harness.js';
import { VALID_YAML } from './test-support/fixtures.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let h: Harness;
let total = 0;

beforeAll(async () => {
  h = await createHarness(REDIS_URL, { commandWaitMs: 0 });
  await h.store.upsertStrategy(strategyRecord('fuzz-target'));
  await h.store.appendTrades('fuzz-target', [fill('fuzz-target', 1), fill('fuzz-target', 2)]);
});
afterAll(async () => {
  // ≥ 1,000 generated bad inputs in this file, none answered with a 5xx
  expect(total).toBeGreaterThanOrEqual(1_000);
  await h.close();
});

/** Sends one request and checks the contract for bad input: a 4xx (or a 2xx when it happens to be valid), never a 5xx, and every error in the one shape. */
async function send(opts: InjectOptions): Promise<LightMyRequestResponse> {
  total += 1;
  const res = await h.app.inject(opts);
  if (res.statusCode >= 500) throw new Error(`5xx for ${JSON.stringify(opts).slice(0, 300)}: ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 400) {
    const parsed = ApiErrorBody.safeParse(res.json());
    if (!parsed.success) throw new Error(`error body not in the one shape for ${JSON.stringify(opts).slice(0, 200)}: ${res.body.slice(0, 200)}`);
    if (parsed.data.error.message.length === 0) throw new Error('empty error message');
  }
  return res;
}

const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('', ' ', '%00', '..', '../..', '%2e%2e', 'a'.repeat(500), '-1', '1e309', 'NaN', 'null', '{}', '[]', '\u0000', '😀'));
const enc = (s: string): string => encodeURIComponent(s);
const READ_ROUTES = ['status', 'stats', 'trades', 'positions', 'orders', 'equity', 'indicators'];

describe('generated bad input never yields a 5xx', () => {
  it('path parameters', async () => {
    await fc.assert(
      fc.asyncProperty(anyText, fc.constantFrom(...READ_ROUTES), async (id, route) => {
        const res = await send({ url: `/api/v1/strategies/${enc(id)}/${route}` });
        expect([200, 400, 404, 414]).toContain(res.statusCode);
        if (res.statusCode === 414) expect(res.json().error.code).toBe('URI_TOO_LONG');
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(anyText, fc.constantFrom('data', 'depth'), async (symbol, what) => {
        await send({ url: `/api/v1/market/${what}/${enc(symbol)}` });
      }),
      { numRuns: 60 },
    );
  });

  it('query strings', async () => {
    const key = fc.constantFrom('limit', 'cursor', 'from', 'to', 'format', 'since', 'timeframes', 'types', 'strategyId', 'extra', 'limit[]', '__proto__');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('trades', 'equity', 'orders', 'indicators'), fc.array(fc.tuple(key, anyText), { maxLength: 4 }), async (route, pairs) => {
        const qs = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        await send({ url: `/api/v1/strategies/fuzz-target/${route}?${qs}` });
      }),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, anyText), { maxLength: 3 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
        await send({ url: `/api/v1/market/data/BTCUSDT?${qs}` });
      }),
      { numRuns: 60 },
    );
  });

  it('JSON bodies', async () => {
    const target = fc.constantFrom('/api/v1/strategies/start', '/api/v1/strategies/fuzz-target/stop', '/api/v1/configs/validate', '/api/v1/auth/token', '/api/v1/auth/refresh');
    // waitMs is either invalid or short: a valid long wait would only make the run slow
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ configName: anyText, configYaml: anyText, strategyId: anyText, initialCash: anyText, waitMs: fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 30_001 }), fc.integer({ min: 0, max: 50 }), fc.double(), anyText) }, { requiredKeys: [] }),
      fc.record({ apiKey: anyText, scopes: fc.array(anyText, { maxLength: 3 }), refreshToken: anyText, yaml: fc.oneof(anyText, fc.integer()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(target, body, async (url, payload) => {
        const res = await send({ method: 'POST', url, headers: { 'x-api-key': CONTROL_KEY, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
        if (url.endsWith('/start')) expect(res.statusCode).not.toBe(201);
      }),
      { numRuns: 250 },
    );
  });

  it('raw bodies and content types', async () => {
    const contentType = fc.constantFrom('application/json', 'application/yaml', 'text/plain', 'text/yaml', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', '', 'application/json; charset=latin1', 'garbage/');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v1/configs/validate', '/api/v1/strategies/start', '/api/v1/auth/token'), contentType, fc.string({ maxLength: 200 }), async (url, ct, raw) => {
        await send({ method: 'POST', url, headers: { 'x-api-key': CONTROL_KEY, ...(ct ? { 'content-type': ct } : {}) }, payload: raw });
      }),
      { numRuns: 150 },
    );
  });

  it('headers: credentials, request ids, accept', async () => {
    const headerValue = fc.string({ maxLength: 120 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, ''));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('x-api-key', 'authorization', 'x-request-id', 'accept', 'last-event-id', 'origin'), headerValue, fc.constantFrom('Bearer ', 'Basic ', '', 'bearer  '), async (name, value, prefix) => {
        const res = await send({ url: '/api/v1/strategies/fuzz-target/stats', headers: { [name]: name === 'authorization' ? `${prefix}${value}` : value } });
        if (name === 'x-api-key' && value !== '') expect(res.statusCode).toBe(401);
      }),
      { numRuns: 150 },
    );
  });

  it('strategy YAML: random text and mutations of a valid config', async () => {
    const lines = VALID_YAML.split('\n');
    const mutated = fc.oneof(
      fc.tuple(fc.nat(lines.length - 1), fc.string({ maxLength: 30 })).map(([i, s]) => lines.map((l, j) => (j === i ? s : l)).join('\n')),
      fc.tuple(fc.nat(lines.length - 1), fc.nat(lines.length - 1)).map(([a, b]) => lines.filter((_, j) => j < Math.min(a, b) || j > Math.max(a, b)).join('\n')),
      fc.tuple(fc.nat(VALID_YAML.length), fc.constantFrom('\t', ':', '- ', '"', '{', '[', '&a ', '*a', '!!binary ', '\n  ', '%')).map(([i, s]) => VALID_YAML.slice(0, i) + s + VALID_YAML.slice(i)),
      fc.string({ maxLength: 300 }),
      fc.constantFrom(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        '- - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - x',
        `${'['.repeat(200)}${']'.repeat(200)}`,
        'name: !!js/function "function(){}"',
        '? [a, b]\n: c\n',
      ),
    );
    await fc.assert(
      fc.asyncProperty(mutated, fc.boolean(), async (yaml, viaStart) => {
        const res = viaStart
          ? await send({ method: 'POST', url: '/api/v1/strategies/start', headers: { 'x-api-key': CONTROL_KEY }, payload: { configYaml: yaml.length > 0 ? yaml : ' ', waitMs: 0 } })
          : await send({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/yaml' }, payload: yaml });
        if (!viaStart && res.statusCode === 200) {
          const body = res.json() as { isValid: boolean; problems: { line: number | null; message: string }[] };
          if (!body.isValid) expect(body.problems.every((p) => p.message.length > 0)).toBe(true);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('is still serving, with the stored data intact, after all of it', async () => {
    expect((await h.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const trades = await h.app.inject({ url: '/api/v1/strategies/fuzz-target/trades' });
    expect(trades.json().items.map((t: { tradeId: string }) => t.tradeId)).toEqual(['t-2', 't-1']);
  });
});
