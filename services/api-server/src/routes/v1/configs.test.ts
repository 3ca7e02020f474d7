import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigsAvailableResponse, MAX_STRATEGY_YAML_BYTES, ValidateConfigResponse } from '@btc-research/contracts';
import { CONTROL_KEY, createHarness, redisUrlFor, RedisDb, type Harness } from '../../test-support/harness.js';
import { INVALID_YAML, VALID_YAML } from '../../test-support/fixtures.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
let h: Harness;

beforeAll(async () => {
  h = await createHarness(REDIS_URL);
  await writeFile(join(h.configDir, 'good.yaml'), VALID_YAML);
  await writeFile(join(h.configDir, 'broken.yml'), INVALID_YAML);
  await writeFile(join(h.configDir, 'notes.txt'), 'not a config');
});
afterAll(async () => h.close());

describe('GET /api/v1/configs/available', () => {
  it('lists the YAML files of config/ with what the engine says of each', async () => {
    const res = await h.app.inject({ url: '/api/v1/configs/available' });
    expect(res.statusCode).toBe(200);
    const body = ConfigsAvailableResponse.parse(res.json());
    expect(body.items.map((c) => c.configName)).toEqual(['broken.yml', 'good.yaml']);
    const good = body.items.find((c) => c.configName === 'good.yaml');
    expect(good).toMatchObject({ isValid: true, name: 'Test RSI', symbol: 'BTC/USDT', exchange: 'binance', timeframes: ['5m'], problems: [] });
    const broken = body.items.find((c) => c.configName === 'broken.yml');
    expect(broken?.isValid).toBe(false);
    expect(broken?.name).toBe('Broken');
    expect(broken?.problems.length).toBeGreaterThan(0);
  });

  it('answers an empty list when config/ does not exist', async () => {
    const other = await createHarness(REDIS_URL, { configDir: join(h.configDir, 'missing') });
    try {
      const res = await other.app.inject({ url: '/api/v1/configs/available' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [] });
    } finally {
      await other.close();
    }
  });
});

describe('POST /api/v1/configs/validate', () => {
  it('accepts a valid config as JSON', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', payload: { yaml: VALID_YAML } });
    expect(res.statusCode).toBe(200);
    expect(ValidateConfigResponse.parse(res.json())).toMatchObject({ isValid: true, name: 'Test RSI', problems: [] });
  });

  it('reports every problem with line and column, for raw YAML bodies too', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/yaml' }, payload: INVALID_YAML });
    expect(res.statusCode).toBe(200);
    const body = ValidateConfigResponse.parse(res.json());
    expect(body.isValid).toBe(false);
    const unknownType = body.problems.find((p) => p.path === 'indicators[0].type');
    expect(unknownType).toMatchObject({ line: 10, column: expect.any(Number) });
    expect(unknownType?.message).toContain('NOT_AN_INDICATOR');
    for (const p of body.problems) expect(p.line).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors at their position', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', payload: { yaml: 'name: "x"\nsymbol: [unclosed\n' } });
    expect(res.statusCode).toBe(200);
    const body = ValidateConfigResponse.parse(res.json());
    expect(body.isValid).toBe(false);
    expect(body.problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects a body without yaml, a non-JSON body and an unknown media type', async () => {
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', payload: { text: 'x' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.code).toBe('VALIDATION_FAILED');
    const badJson = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/json' }, payload: '{"yaml": ' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('INVALID_JSON');
    const media = await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('one size limit for strategy YAML, everywhere', () => {
  /** valid YAML padded with a comment to exactly `bytes` UTF-8 bytes (a multi-byte character included) */
  const yamlOf = (bytes: number): string => {
    const head = `${VALID_YAML}# é `;
    return head + 'x'.repeat(bytes - Buffer.byteLength(head) - 1) + '\n';
  };
  const LIMIT = MAX_STRATEGY_YAML_BYTES;

  it('is 256 KiB, and the OpenAPI document says so', async () => {
    expect(LIMIT).toBe(262_144);
    const doc = (await h.app.inject({ url: '/docs/json' })).json();
    expect(JSON.stringify(doc.components.schemas.ValidateConfigRequest)).toContain('262144 bytes');
  });

  it('accepts YAML of exactly the limit and answers one byte more with 413 and a clear message, on every route that takes YAML', async () => {
    const atLimit = yamlOf(LIMIT);
    const over = yamlOf(LIMIT + 1);
    expect(Buffer.byteLength(atLimit)).toBe(LIMIT);
    const sends = [
      (yaml: string) => h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', payload: { yaml } }),
      (yaml: string) => h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/yaml' }, payload: yaml }),
      (yaml: string) => h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: { 'x-api-key': CONTROL_KEY }, payload: { configYaml: yaml, strategyId: 'yaml-size', waitMs: 0 } }),
    ];
    for (const [i, send] of sends.entries()) {
      const ok = await send(atLimit);
      expect(ok.statusCode, `route ${i} at the limit`).not.toBe(413);
      expect(ok.statusCode, `route ${i} at the limit`).toBeLessThan(500);
      const res = await send(over);
      expect(res.statusCode, `route ${i}`).toBe(413);
      expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.json().error.message).toBe(`the strategy YAML is ${LIMIT + 1} bytes; the limit is ${LIMIT} bytes (256 KiB)`);
    }
  });

  it('applies to files in config/: listed as FILE_TOO_LARGE, refused with 413 when started', async () => {
    await writeFile(join(h.configDir, 'huge.yaml'), yamlOf(LIMIT + 1));
    const listed = ConfigsAvailableResponse.parse((await h.app.inject({ url: '/api/v1/configs/available' })).json()).items.find((c) => c.configName === 'huge.yaml');
    expect(listed?.isValid).toBe(false);
    expect(listed?.problems[0]).toMatchObject({ code: 'FILE_TOO_LARGE', message: `the strategy YAML is ${LIMIT + 1} bytes; the limit is ${LIMIT} bytes (256 KiB)` });
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/strategies/start', headers: { 'x-api-key': CONTROL_KEY }, payload: { configName: 'huge.yaml', waitMs: 0 } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers bodies over the 1 MiB request limit (a 5 MB YAML) with 413 too', async () => {
    const huge = 'a: b\n'.repeat(1_000_000);
    for (const res of [
      await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', headers: { 'content-type': 'application/yaml' }, payload: huge }),
      await h.app.inject({ method: 'POST', url: '/api/v1/configs/validate', payload: { yaml: huge } }),
    ]) {
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.json().error.message).toContain('1 MiB');
    }
  });
});
