import { createHmac, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenResponse } from '@btc-research/contracts';
import { configureLogging, createLogger } from '@btc-research/platform';
import { CONTROL_KEY, READ_KEY, TEST_SECRET, createHarness, devAuth, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../test-support/harness.js';
import { keyId as keyIdOf } from './principal.js';
import { RedisRefreshTokenLedger } from './refresh-token-ledger.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
const logLines: string[] = [];
let clock = 1_800_000_000_000;
let dev: Harness;
let prod: Harness;

function b64url(v: unknown): string {
  return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
}
function signHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64url(header)}.${b64url(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

beforeAll(async () => {
  configureLogging({
    level: 'trace',
    destination: new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  });
  const logger = createLogger('api-server:auth-test');
  dev = await createHarness(REDIS_URL, { logger } as never);
  prod = await createHarness(REDIS_URL, { auth: devAuth({ mode: 'jwt', isReadOpen: false, apiKeys: [{ key: CONTROL_KEY, scopes: ['read', 'control'] }, { key: READ_KEY, scopes: ['read'] }] }), now: () => clock });
  await dev.store.upsertStrategy(strategyRecord('auth-s'));
  await prod.store.upsertStrategy(strategyRecord('auth-s'));
});
afterAll(async () => {
  await dev.close();
  await prod.close();
});

async function token(h: Harness, apiKey: string, scopes?: string[]): Promise<TokenResponse> {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey, ...(scopes ? { scopes } : {}) } });
  expect(res.statusCode).toBe(200);
  return TokenResponse.parse(res.json());
}

describe('development mode (API keys)', () => {
  const url = '/api/v1/strategies/auth-s/status';

  it('serves reads without a key, and with a valid key in X-API-Key or as a bearer', async () => {
    expect((await dev.app.inject({ url })).statusCode).toBe(200);
    expect((await dev.app.inject({ url, headers: { 'x-api-key': READ_KEY } })).statusCode).toBe(200);
    expect((await dev.app.inject({ url, headers: { authorization: `Bearer ${READ_KEY}` } })).statusCode).toBe(200);
  });

  it('refuses a wrong key even on an open read route, and a malformed Authorization header', async () => {
    const wrong = await dev.app.inject({ url, headers: { 'x-api-key': 'not-a-configured-key-123' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('UNAUTHENTICATED');
    const malformed = await dev.app.inject({ url, headers: { authorization: 'Basic abc' } });
    expect(malformed.statusCode).toBe(401);
  });

  it('requires a key for reads when API_OPEN_READS is off', async () => {
    const closed = await createHarness(REDIS_URL, { auth: devAuth({ isReadOpen: false }) });
    try {
      expect((await closed.app.inject({ url: '/api/v1/strategies/active' })).statusCode).toBe(401);
      expect((await closed.app.inject({ url: '/api/v1/strategies/active', headers: { 'x-api-key': READ_KEY } })).statusCode).toBe(200);
      expect((await closed.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await closed.close();
    }
  });

  it('accepts tokens from /auth/token too, and refuses forged and alg:none ones (wall-clock verifier)', async () => {
    const t = await token(dev, READ_KEY);
    expect((await dev.app.inject({ url, headers: { authorization: `Bearer ${t.accessToken}` } })).statusCode).toBe(200);
    const nowS = Math.floor(Date.now() / 1000);
    const claims = { sub: 'key_x', scope: ['read'], typ: 'access', iss: 'btc-research-api', iat: nowS, exp: nowS + 600, jti: 'jti-00000001', fam: 'fam-00000001' };
    const forged = signHs256(claims, 'another-secret-another-secret-another');
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
    for (const jwt of [forged, none]) expect((await dev.app.inject({ url, headers: { authorization: `Bearer ${jwt}` } })).statusCode).toBe(401);
    expect((await dev.app.inject({ url, headers: { authorization: `Bearer ${signHs256(claims, TEST_SECRET)}` } })).statusCode).toBe(200);
  });

  it('never writes keys or tokens to the log', async () => {
    const t = await token(dev, CONTROL_KEY);
    await dev.app.inject({ url, headers: { 'x-api-key': CONTROL_KEY } });
    await dev.app.inject({ url, headers: { authorization: `Bearer ${t.accessToken}` } });
    await dev.app.inject({ url: `/api/v1/events?api_key=${READ_KEY}&types=bogus` });
    await dev.app.inject({ url, headers: { 'x-api-key': 'wrong-key-that-is-long-enough' } });
    const all = logLines.join('');
    expect(all).toContain('request completed');
    expect(all).toContain('[REDACTED]');
    for (const secret of [CONTROL_KEY, READ_KEY, t.accessToken, t.refreshToken, 'wrong-key-that-is-long-enough', TEST_SECRET]) expect(all).not.toContain(secret);
  });
});

describe('production mode (JWT)', () => {
  const url = '/api/v1/strategies/auth-s/status';

  it('exchanges an API key for tokens, and the access token reads', async () => {
    const t = await token(prod, READ_KEY);
    expect(t).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 3_600, scopes: ['read'] });
    const res = await prod.app.inject({ url, headers: { authorization: `Bearer ${t.accessToken}` } });
    expect(res.statusCode).toBe(200);
  });

  it('refuses requests without credentials and API keys used directly', async () => {
    expect((await prod.app.inject({ url })).statusCode).toBe(401);
    const key = await prod.app.inject({ url, headers: { 'x-api-key': READ_KEY } });
    expect(key.statusCode).toBe(401);
    expect(key.json().error.message).toContain('/api/v1/auth/token');
  });

  it('refuses an unknown key (401) and scopes the key does not hold (403) at /auth/token', async () => {
    const unknown = await prod.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: 'unknown-key-0123456789' } });
    expect(unknown.statusCode).toBe(401);
    const scope = await prod.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: READ_KEY, scopes: ['control'] } });
    expect(scope.statusCode).toBe(403);
  });

  it('enforces scopes: a read token cannot stop a strategy', async () => {
    const t = await token(prod, CONTROL_KEY, ['read']);
    const res = await prod.app.inject({ method: 'POST', url: '/api/v1/strategies/auth-s/stop', headers: { authorization: `Bearer ${t.accessToken}` }, payload: { waitMs: 0 } });
    expect(res.statusCode).toBe(403);
  });

  it('rejects an expired access token with TOKEN_EXPIRED, and refresh gives a working pair', async () => {
    const t = await token(prod, CONTROL_KEY);
    clock += 901_000;
    try {
      const expired = await prod.app.inject({ url, headers: { authorization: `Bearer ${t.accessToken}` } });
      expect(expired.statusCode).toBe(401);
      expect(expired.json().error.code).toBe('TOKEN_EXPIRED');
      const refreshed = await prod.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: t.refreshToken } });
      expect(refreshed.statusCode).toBe(200);
      const pair = TokenResponse.parse(refreshed.json());
      expect(pair.scopes).toEqual(['read', 'control']);
      expect((await prod.app.inject({ url, headers: { authorization: `Bearer ${pair.accessToken}` } })).statusCode).toBe(200);
      clock += 3_600_000;
      const late = await prod.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: t.refreshToken } });
      expect(late.statusCode).toBe(401);
      expect(late.json().error.code).toBe('TOKEN_EXPIRED');
    } finally {
      clock = 1_800_000_000_000;
    }
  });

  it('rejects forged, alg:none, tampered and wrong-algorithm tokens, and a refresh token used as an access token', async () => {
    const t = await token(prod, READ_KEY);
    const claims = { sub: 'key_x', scope: ['read', 'control'], typ: 'access', iss: 'btc-research-api', iat: Math.floor(clock / 1000), exp: Math.floor(clock / 1000) + 600, jti: 'jti-00000002', fam: 'fam-00000002' };
    const [h, p, s] = t.accessToken.split('.') as [string, string, string];
    const escalated = b64url({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: ['read', 'control'] });
    const candidates: Record<string, string> = {
      forged: signHs256(claims, 'some-other-secret-that-is-long-enough-xx'),
      algNone: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`,
      algNoneSigned: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.${s}`,
      tampered: `${h}.${escalated}.${s}`,
      hs512: signHs256(claims, TEST_SECRET, { alg: 'HS512', typ: 'JWT' }),
      refreshAsAccess: t.refreshToken,
      garbage: 'aaa.bbb.ccc',
    };
    for (const [name, jwt] of Object.entries(candidates)) {
      const res = await prod.app.inject({ url, headers: { authorization: `Bearer ${jwt}` } });
      expect(res.statusCode, name).toBe(401);
      expect(['INVALID_TOKEN', 'UNAUTHENTICATED'], name).toContain(res.json().error.code);
    }
    // the same claims signed with the real secret pass: the rejections above are about the token, not the claims
    const genuine = signHs256(claims, TEST_SECRET);
    expect((await prod.app.inject({ url, headers: { authorization: `Bearer ${genuine}` } })).statusCode).toBe(200);
  });

  it('accepts the access token as ?access_token= on the live-event routes only (browsers cannot set headers there)', async () => {
    const t = await token(prod, READ_KEY);
    // auth passes, then the bad filter is refused: 400 shows the token was accepted without opening a stream
    const events = await prod.app.inject({ url: `/api/v1/events?access_token=${t.accessToken}&types=bogus` });
    expect(events.statusCode).toBe(400);
    expect((await prod.app.inject({ url: '/api/v1/events?types=bogus' })).statusCode).toBe(401);
    expect((await prod.app.inject({ url: `${url}?access_token=${t.accessToken}` })).statusCode).toBe(401);
  });

  it('refuses to refresh with an access token', async () => {
    const t = await token(prod, READ_KEY);
    const res = await prod.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: t.accessToken } });
    expect(res.statusCode).toBe(401);
  });
});

describe('JWT claims', () => {
  const url = '/api/v1/strategies/auth-s/status';
  const nowS = () => Math.floor(clock / 1000);
  const base = () => ({ sub: keyIdOf(READ_KEY), scope: ['read'], typ: 'access', iss: 'btc-research-api', iat: nowS(), exp: nowS() + 600, jti: 'jti-claims-1', fam: 'fam-claims-1' });

  it('refuses a correctly signed token without iss, exp, iat or sub, or with another issuer', async () => {
    expect((await prod.app.inject({ url, headers: { authorization: `Bearer ${signHs256(base(), TEST_SECRET)}` } })).statusCode).toBe(200);
    for (const missing of ['iss', 'exp', 'iat', 'sub'] as const) {
      const claims: Record<string, unknown> = base();
      delete claims[missing];
      const res = await prod.app.inject({ url, headers: { authorization: `Bearer ${signHs256(claims, TEST_SECRET)}` } });
      expect(res.statusCode, `without ${missing}`).toBe(401);
      expect(res.json().error.code, `without ${missing}`).toBe('INVALID_TOKEN');
    }
    const other = await prod.app.inject({ url, headers: { authorization: `Bearer ${signHs256({ ...base(), iss: 'someone-else' }, TEST_SECRET)}` } });
    expect(other.statusCode).toBe(401);
  });

  it('refuses a token whose lifetime is longer than its kind allows (access 900 s here)', async () => {
    const long = signHs256({ ...base(), exp: nowS() + 901 }, TEST_SECRET);
    const res = await prod.app.inject({ url, headers: { authorization: `Bearer ${long}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('lifetime');
  });
});

async function refresh(h: Harness, refreshToken: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });
}

describe('refresh-token rotation with reuse detection', () => {
  const url = '/api/v1/strategies/auth-s/status';

  it('embedded (in memory): a rotated refresh token used again is refused and revokes its whole session', async () => {
    const first = await token(prod, CONTROL_KEY);
    const rotated = await refresh(prod, first.refreshToken);
    expect(rotated.statusCode).toBe(200);
    const second = TokenResponse.parse(rotated.json());
    expect((await prod.app.inject({ url, headers: { authorization: `Bearer ${second.accessToken}` } })).statusCode).toBe(200);

    const reuse = await refresh(prod, first.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error).toMatchObject({ code: 'INVALID_TOKEN' });
    expect(reuse.json().error.message).toContain('already used');
    // the session is gone: its newer refresh token and its access token are refused too
    const afterReuse = await refresh(prod, second.refreshToken);
    expect(afterReuse.statusCode).toBe(401);
    expect(afterReuse.json().error.message).toContain('revoked');
    const access = await prod.app.inject({ url, headers: { authorization: `Bearer ${second.accessToken}` } });
    expect(access.statusCode).toBe(401);
    expect(access.json().error.message).toContain('revoked');
    // other sessions of the same key are not affected, and the key can sign in again
    const fresh = await token(prod, CONTROL_KEY);
    expect((await refresh(prod, fresh.refreshToken)).statusCode).toBe(200);
  });

  it('distributed (Redis): two instances share the ledger; of 20 concurrent uses of one refresh token exactly one succeeds', async () => {
    const redis = new Redis(redisUrlFor(RedisDb.ratelimit));
    const prefix = `api-auth-test-${randomBytes(4).toString('hex')}:`;
    const auth = devAuth({ mode: 'jwt', isReadOpen: false });
    const a = await createHarness(REDIS_URL, { auth, refreshLedger: new RedisRefreshTokenLedger(redis, prefix) });
    const b = await createHarness(REDIS_URL, { auth, refreshLedger: new RedisRefreshTokenLedger(redis, prefix) });
    try {
      await a.store.upsertStrategy(strategyRecord('auth-s'));
      const first = await token(a, CONTROL_KEY);
      const onA = await refresh(a, first.refreshToken);
      expect(onA.statusCode).toBe(200);
      const second = TokenResponse.parse(onA.json());
      const onB = await refresh(b, first.refreshToken);
      expect(onB.statusCode).toBe(401);
      expect(onB.json().error.message).toContain('already used');
      expect((await refresh(a, second.refreshToken)).statusCode).toBe(401);
      expect((await a.app.inject({ url, headers: { authorization: `Bearer ${second.accessToken}` } })).statusCode).toBe(401);

      const race = await token(b, CONTROL_KEY);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => refresh(i % 2 === 0 ? a : b, race.refreshToken)));
      expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
      expect(answers.filter((r) => r.statusCode === 401)).toHaveLength(19);
    } finally {
      await a.close();
      await b.close();
      redis.disconnect();
    }
  });
});
