import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { JsonStrategyStore } from './json-strategy-store.js';
import { PostgresStrategyStore } from './postgres-strategy-store.js';
import type { EquityPoint, PositionRecord, StrategyRecord, StrategyState, StrategyStore, TradeRecord } from './strategy-store.js';

/**
 * One suite, every backend. A backend gives a fresh isolated location; `open` may be called more
 * than once for it (a restart) and must see the same data.
 */
interface Backend {
  name: string;
  createLocation(): Promise<{ open(): Promise<StrategyStore>; dispose(): Promise<void> }>;
}

export const jsonBackend: Backend = {
  name: 'json',
  async createLocation() {
    const dir = await mkdtemp(join(tmpdir(), 'btc-store-'));
    return {
      open: async () => new JsonStrategyStore({ dataDir: dir }),
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** each location is its own schema, dropped afterwards */
export const postgresBackend: Backend = {
  name: 'postgres',
  async createLocation() {
    const schema = `store_test_${randomBytes(6).toString('hex')}`;
    return {
      open: () => PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 4 }),
      dispose: async () => {
        const client = new pg.Client({ connectionString: DATABASE_URL });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  },
};

export const backends: Backend[] = [jsonBackend, postgresBackend];

function strategy(id: string, overrides: Partial<StrategyRecord> = {}): StrategyRecord {
  return {
    id,
    name: `Strategy ${id}`,
    configName: 'demo-rsi-mean-reversion.yaml',
    configYaml: 'name: "RSI mean reversion — démo"\nsymbol: BTC/USDC\nindicators:\n  - id: RSI_14\n    type: RSI\n    length: 14\n',
    symbol: 'BTCUSDT',
    status: 'running',
    error: null,
    initialCash: '10000',
    createdAt: 1_718_000_000_000,
    updatedAt: 1_718_000_000_000,
    ...overrides,
  };
}

function trade(strategyId: string, n: number, time: number): TradeRecord {
  return {
    strategyId,
    tradeId: `${strategyId}-t${n}`,
    orderId: `${strategyId}-o${n}`,
    symbol: 'BTCUSDT',
    side: n % 2 === 0 ? 'buy' : 'sell',
    quantity: '0.00123456',
    price: '67123.45',
    fee: '0.00000001',
    realizedPnl: n % 2 === 0 ? '0' : '-12.34567891',
    reason: 'entry rule',
    time,
  };
}

function state(strategyId: string, time: number): StrategyState {
  return {
    strategyId,
    time,
    cash: '9876.54321098',
    equity: '10012.00000001',
    positionQty: '0.0015',
    avgEntryPrice: '67000.1',
    realizedPnl: '-1.5',
    unrealizedPnl: '13.2',
    feesPaid: '0.3',
    lastPrice: '67100',
    lastCandleCloseTime: time,
    tradeCount: 3,
    core: { ledger: { cash: '9876.54321098' }, pending: [], seq: 7 },
  };
}

describe.each(backends)('StrategyStore conformance: $name', (backend) => {
  const cleanups: Array<() => Promise<void>> = [];
  const stores: StrategyStore[] = [];

  async function setup() {
    const location = await backend.createLocation();
    cleanups.push(location.dispose);
    const open = async () => {
      const s = await location.open();
      stores.push(s);
      return s;
    };
    return { store: await open(), reopen: open };
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    for (const c of cleanups.splice(0)) await c();
  });

  it('stores, updates and lists strategies (oldest first), null for unknown ids', async () => {
    const { store } = await setup();
    expect(await store.listStrategies()).toEqual([]);
    expect(await store.getStrategy('nope')).toBeNull();
    const b = strategy('beta', { createdAt: 10_000, updatedAt: 10_000 }); // more digits than alpha's: ordering must be numeric
    const a = strategy('alpha', { createdAt: 900, updatedAt: 900 });
    await store.upsertStrategy(b);
    await store.upsertStrategy(a);
    expect(await store.listStrategies()).toEqual([a, b]);
    const stopped = { ...b, status: 'error' as const, error: 'indicator RSI_99 unknown', updatedAt: 30_000 };
    await store.upsertStrategy(stopped);
    expect(await store.getStrategy('beta')).toEqual(stopped);
    expect((await store.listStrategies()).map((s) => s.id)).toEqual(['alpha', 'beta']);
  });

  it('rejects ids that are not canonical strategy ids (no path tricks)', async () => {
    const { store } = await setup();
    await expect(store.upsertStrategy(strategy('../evil'))).rejects.toBeInstanceOf(ValidationError);
    await expect(store.getStrategy('a/b')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.loadState('UPPER')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('saves and loads state exactly, replacing the previous one', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    expect(await store.loadState('s1')).toBeNull();
    await store.saveState(state('s1', 1_000));
    const later = state('s1', 2_000);
    await store.saveState(later);
    expect(await store.loadState('s1')).toEqual(later);
  });

  it('appends trades idempotently on tradeId, also within one batch', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    await store.appendTrades('s1', [trade('s1', 1, 100), trade('s1', 2, 200), trade('s1', 3, 300)]);
    await store.appendTrades('s1', [trade('s1', 2, 200), trade('s1', 3, 300), trade('s1', 4, 400), trade('s1', 4, 400)]);
    await store.appendTrades('s1', []);
    expect(await store.countTrades('s1')).toBe(4);
    const page = await store.listTrades('s1', { limit: 10 });
    expect(page.items.map((t) => t.tradeId)).toEqual(['s1-t4', 's1-t3', 's1-t2', 's1-t1']);
    expect(page.items[3]).toEqual(trade('s1', 1, 100));
    expect(page.nextCursor).toBeNull();
  });

  it('rejects trades of another strategy or with invalid money fields, storing nothing', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    await expect(store.appendTrades('s1', [trade('s1', 1, 100), trade('s2', 2, 200)])).rejects.toBeInstanceOf(ValidationError);
    await expect(store.appendTrades('s1', [{ ...trade('s1', 3, 300), price: '1e5' }])).rejects.toBeInstanceOf(ValidationError);
    expect(await store.countTrades('s1')).toBe(0);
  });

  it('pages trades newest first with an opaque cursor, ties in insertion order, and from/to filters', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    await store.upsertStrategy(strategy('s2'));
    // times with ties; inserted in two batches and not in time order
    const times = [500, 100, 300, 300, 900, 700, 300, 100, 1000, 800];
    const all = times.map((t, i) => trade('s1', i, t));
    await store.appendTrades('s1', all.slice(0, 6));
    await store.appendTrades('s1', all.slice(6));
    await store.appendTrades('s2', [trade('s2', 0, 600)]);
    const expected = all
      .map((t, i) => ({ t, i }))
      .sort((a, b) => b.t.time - a.t.time || b.i - a.i)
      .map((x) => x.t.tradeId);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listTrades('s1', cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((t) => t.tradeId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual(expected);
    expect(pages).toBe(4);

    const filtered = await store.listTrades('s1', { limit: 100, from: 300, to: 800 });
    expect(filtered.items.map((t) => t.time)).toEqual([700, 500, 300, 300, 300]);
    const firstPage = await store.listTrades('s1', { limit: 2, from: 300, to: 800 });
    expect(firstPage.nextCursor).not.toBeNull();
    const secondPage = await store.listTrades('s1', { limit: 10, from: 300, to: 800, cursor: firstPage.nextCursor! });
    expect([...firstPage.items, ...secondPage.items]).toEqual(filtered.items);
    expect(secondPage.nextCursor).toBeNull();
    expect((await store.listTrades('s2', { limit: 10 })).items.map((t) => t.tradeId)).toEqual(['s2-t0']);
    expect(await store.listTrades('nobody', { limit: 10 })).toEqual({ items: [], nextCursor: null });
  });

  it('rejects a malformed cursor and an out-of-range limit', async () => {
    const { store } = await setup();
    await expect(store.listTrades('s1', { limit: 10, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.listTrades('s1', { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.listTrades('s1', { limit: 1.5 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('saves and loads positions, empty when none', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    expect(await store.loadPositions('s1')).toEqual([]);
    const positions: PositionRecord[] = [
      { strategyId: 's1', symbol: 'BTCUSDT', quantity: '0.00150000', averagePrice: '67000.12345678', unrealizedPnl: '1.5', realizedPnl: '-0.25', updatedAt: 5_000 },
    ];
    await store.savePositions('s1', positions);
    expect(await store.loadPositions('s1')).toEqual(positions);
    await store.savePositions('s1', []);
    expect(await store.loadPositions('s1')).toEqual([]);
  });

  it('appends the equity curve idempotently on time and lists from `since`, oldest first', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    const points: EquityPoint[] = [1, 2, 3, 4, 5].map((i) => ({ time: i * 60_000, equity: `1000${i}.5` }));
    await store.appendEquity('s1', points.slice(0, 3));
    await store.appendEquity('s1', points.slice(2)); // redelivery overlaps point 3
    expect(await store.listEquity('s1', 0, 100)).toEqual(points);
    expect(await store.listEquity('s1', 120_000, 2)).toEqual(points.slice(1, 3));
    expect(await store.listEquity('s1', 10_000_000, 10)).toEqual([]);
  });

  it('keeps everything across a restart', async () => {
    const { store, reopen } = await setup();
    const rec = strategy('persist');
    await store.upsertStrategy(rec);
    await store.saveState(state('persist', 42));
    await store.appendTrades('persist', [trade('persist', 1, 10), trade('persist', 2, 20)]);
    await store.savePositions('persist', [
      { strategyId: 'persist', symbol: 'BTCUSDT', quantity: '1', averagePrice: '2', unrealizedPnl: '0', realizedPnl: '0', updatedAt: 1 },
    ]);
    await store.appendEquity('persist', [{ time: 1, equity: '100' }]);
    await store.close();

    const again = await reopen();
    expect(await again.getStrategy('persist')).toEqual(rec);
    expect(await again.loadState('persist')).toEqual(state('persist', 42));
    expect(await again.countTrades('persist')).toBe(2);
    await again.appendTrades('persist', [trade('persist', 2, 20), trade('persist', 3, 30)]);
    expect(await again.countTrades('persist')).toBe(3);
    expect(await again.loadPositions('persist')).toHaveLength(1);
    expect(await again.listEquity('persist', 0, 10)).toEqual([{ time: 1, equity: '100' }]);
  });

  it('serialises concurrent appends without losing or doubling trades', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('busy'));
    const batches = Array.from({ length: 20 }, (_, b) => [trade('busy', b * 2, b), trade('busy', b * 2 + 1, b)]);
    await Promise.all([...batches, ...batches].map((batch) => store.appendTrades('busy', batch)));
    expect(await store.countTrades('busy')).toBe(40);
  });
});
