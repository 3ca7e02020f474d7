import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import {
  MessageType,
  StreamRetention,
  Streams,
  makeEnvelope,
  type MarketFeedStatusV1,
  type StrategyFillV1,
  type StrategyStatusValue,
} from '@btc-research/contracts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { JsonStrategyStore, PostgresStrategyStore, RedisBus, createLogger, simulatedFeedStatus, type MessageBus, type StrategyRecord, type StrategyStore } from '@btc-research/platform';
import { buildApiApp, type ApiAppDeps } from '../app.js';
import { DEFAULT_DEV_API_KEY, type AuthConfig } from '../auth/auth-config.js';
import type { StartApiServerDeps } from '../service.js';

/**
 * Redis databases of the api-server tests (the bus's stream names are fixed, so a suite that asserts
 * on stream contents needs a database of its own, flushed when the file starts). Files that only need
 * a working bus share one database and never flush it. Other suites of the repo use 2, 3, 6 and 15.
 */
export const RedisDb = {
  shared: 7,
  /** rate-limit counters; never flushed: each run uses keys of its own */
  ratelimit: 8,
  market: 10,
  events: 11,
  commands: 14,
} as const;

export function redisUrlFor(db: number): string {
  const base = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  base.pathname = `/${db}`;
  return base.toString();
}

export async function flushRedisDb(url: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

export const CONTROL_KEY = 'control-key-0123456789abcdef';
export const READ_KEY = 'read-only-key-0123456789abcdef';
export const TEST_SECRET = 'test-secret-Zq8vP3nX0rT6yB1wL5kM9cJ2hF7dG4sA';

export function devAuth(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    mode: 'api-key',
    apiKeys: [
      { key: DEFAULT_DEV_API_KEY, scopes: ['read', 'control'] },
      { key: CONTROL_KEY, scopes: ['read', 'control'] },
      { key: READ_KEY, scopes: ['read'] },
    ],
    isReadOpen: true,
    jwtSecret: TEST_SECRET,
    accessTokenTtlS: 900,
    refreshTokenTtlS: 3_600,
    ...overrides,
  };
}

export type StoreKind = 'json' | 'postgres';
export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A real store: JSON files in a temp dir, or PostgreSQL in a schema of its own (dropped on close). */
export async function openTestStore(kind: StoreKind, dataDir: string): Promise<{ store: StrategyStore; drop(): Promise<void> }> {
  if (kind === 'json') {
    const store = new JsonStrategyStore({ dataDir });
    return { store, drop: async () => store.close() };
  }
  const schema = `api_test_${randomBytes(6).toString('hex')}`;
  const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 4 });
  return {
    store,
    async drop() {
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface Harness {
  app: FastifyInstance;
  bus: MessageBus;
  store: StrategyStore;
  dataDir: string;
  configDir: string;
  close(): Promise<void>;
}

export const testLogger = createLogger('api-server:test', { level: 'silent' });

/** startApiServer's settings in a test: loopback on a free port, dev auth, a generous rate limit, no default metrics; `overrides` win. */
export function testServerDeps(deps: Pick<StartApiServerDeps, 'bus' | 'store' | 'configDir'>, overrides: Partial<StartApiServerDeps> = {}): StartApiServerDeps {
  return { host: '127.0.0.1', port: 0, logger: testLogger, auth: devAuth(), rateLimit: { max: 1_000, timeWindowMs: 60_000 }, collectDefaultMetrics: false, ...deps, ...overrides };
}

export async function createHarness(
  redisUrl: string,
  overrides: Partial<Omit<ApiAppDeps, 'bus' | 'store'>> & { configDir?: string; storeKind?: StoreKind } = {},
): Promise<Harness> {
  const { storeKind = 'json', ...appOverrides } = overrides;
  const dataDir = await mkdtemp(join(tmpdir(), 'api-data-'));
  const configDir = overrides.configDir ?? (await mkdtemp(join(tmpdir(), 'api-config-')));
  const bus = new RedisBus({ redisUrl, logger: testLogger });
  const opened = await openTestStore(storeKind, dataDir);
  const store = opened.store;
  const app = await buildApiApp({
    bus,
    store,
    configDir,
    logger: testLogger,
    auth: devAuth(),
    rateLimit: { max: 10_000, timeWindowMs: 60_000 },
    cacheTtlMs: 0,
    collectDefaultMetrics: false,
    ...appOverrides,
  });
  await app.ready();
  return {
    app,
    bus,
    store,
    dataDir,
    configDir,
    async close() {
      await app.close();
      await bus.close();
      await opened.drop();
      await rm(dataDir, { recursive: true, force: true });
      if (!overrides.configDir) await rm(configDir, { recursive: true, force: true });
    },
  };
}

export function strategyRecord(id: string, overrides: Partial<StrategyRecord> = {}): StrategyRecord {
  return {
    id,
    name: `Strategy ${id}`,
    configName: `${id}.yaml`,
    configYaml: 'name: test\n',
    symbol: 'BTCUSDT',
    status: 'running',
    error: null,
    initialCash: '10000',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function fill(strategyId: string, n: number, overrides: Partial<StrategyFillV1> = {}): StrategyFillV1 {
  return {
    strategyId,
    tradeId: `t-${n}`,
    orderId: `o-${n}`,
    symbol: 'BTCUSDT',
    side: n % 2 === 0 ? 'buy' : 'sell',
    quantity: '0.01',
    price: `${40_000 + n}`,
    fee: '0.4',
    realizedPnl: n % 2 === 0 ? '0' : n % 4 === 1 ? '12.5' : '-3.25',
    reason: n % 2 === 0 ? 'entry_long' : 'exit_long',
    time: 1_700_000_000_000 + n * 60_000,
    ...overrides,
  };
}

/** the feed status a test publishes unless it says otherwise */
export const feedStatus = simulatedFeedStatus;

let seq = 0;
function nextId(prefix: string): string {
  seq += 1;
  return `${prefix}-${process.pid}-${seq}`;
}

export async function publishFeed(bus: MessageBus, status: MarketFeedStatusV1, t = Date.now()): Promise<void> {
  await bus.publish(
    Streams.feedStatus(),
    makeEnvelope({ type: MessageType.feedStatus, id: nextId('feed'), source: 'stream-manager', tsEvent: t, tsInit: t, payload: status }),
    StreamRetention.feedStatus,
  );
}

export async function publishFill(bus: MessageBus, f: StrategyFillV1): Promise<void> {
  await bus.publish(
    Streams.strategyEvents(),
    makeEnvelope({ type: MessageType.strategyFill, id: nextId('fill'), source: 'paper-trader', tsEvent: f.time, tsInit: f.time, payload: f }),
    StreamRetention.strategyEvents,
  );
}

export async function publishStatus(
  bus: MessageBus,
  strategyId: string,
  status: StrategyStatusValue,
  options: { causationId?: string; error?: string | null } = {},
): Promise<void> {
  const t = Date.now();
  await bus.publish(
    Streams.strategyEvents(),
    makeEnvelope({
      type: MessageType.strategyStatus,
      id: nextId('status'),
      source: 'paper-trader',
      tsEvent: t,
      tsInit: t,
      ...(options.causationId !== undefined ? { causationId: options.causationId } : {}),
      payload: { strategyId, status, error: options.error ?? null, time: t },
    }),
    StreamRetention.strategyEvents,
  );
}
