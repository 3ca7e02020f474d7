import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { JsonStrategyStore, RedisBus } from '@btc-research/platform';
import { startApiServer, type ApiServerHandle } from './service.js';
import { CONTROL_KEY, RedisDb, devAuth, redisUrlFor, testLogger, testServerDeps } from './test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.ratelimit);
// a key of this run only: its rate-limit counter in Redis starts at zero without flushing anything
const RUN_KEY = `svc-run-key-${randomBytes(12).toString('hex')}`;

describe('startApiServer over real ports, distributed mode', () => {
  let dataDir: string;
  let bus: RedisBus;
  let store: JsonStrategyStore;
  const servers: ApiServerHandle[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'api-service-'));
    bus = new RedisBus({ redisUrl: REDIS_URL, logger: testLogger });
    store = new JsonStrategyStore({ dataDir });
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startApiServer(
          testServerDeps(
            { bus, store, configDir: dataDir },
            {
              auth: devAuth({ apiKeys: [{ key: RUN_KEY, scopes: ['read'] }, { key: CONTROL_KEY, scopes: ['read', 'control'] }] }),
              rateLimit: { max: 4, timeWindowMs: 60_000, redisUrl: REDIS_URL },
            },
          ),
        ),
      );
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await bus.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on the given host and answers over HTTP', async () => {
    for (const s of servers) {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(200);
    }
    expect(servers[0]?.url).not.toBe(servers[1]?.url);
  });

  it('two instances share one limit per client through Redis (REDIS_URL)', async () => {
    const key = { 'x-api-key': RUN_KEY };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${servers[i % 2]?.url}/api/v1/strategies/active`, { headers: key });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('refuses a port that is taken', async () => {
    const port = Number(new URL(servers[0]?.url ?? '').port);
    await expect(
      startApiServer(testServerDeps({ bus, store, configDir: dataDir }, { port, rateLimit: { max: 4, timeWindowMs: 60_000 } })),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
