import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../errors.js';
import { jsonSmallSegmentsStoreBackend, jsonStoreBackend, postgresStoreBackend, storesClosedAfterEach } from '../testing/store-backends.js';
import { waitFor } from '../testing/wait-for.js';
import { allTradesOldestFirst } from './store-backup.js';
import type { BackupRecord, EquityPoint, OrderRecord, ParityCheckRecord, PositionRecord, StrategyRecord, StrategyState, StrategyStore, TradeRecord } from './strategy-store.js';

const backends = [jsonStoreBackend, jsonSmallSegmentsStoreBackend, postgresStoreBackend];

function parityCheck(strategyId: string, checkId: string, checkedAt: number, verdict: 'pass' | 'fail'): ParityCheckRecord {
  return {
    strategyId,
    checkId,
    checkedAt,
    trigger: 'scheduled',
    verdict,
    window: { fromSeq: 1, toSeq: 420, from: 1_718_000_000_000, to: 1_718_000_360_000, inputs: 420, start: 'log-start' },
    ...(verdict === 'fail' ? { firstDivergence: { at: 1_718_000_120_000, kind: 'fee' as const, field: 'fee', paper: '0.0123', replay: '0.0124', eventSeq: 17, eventType: 'trade', inputSeq: 133 } } : {}),
    compared: { events: 16, indicatorCheckpoints: 1, indicatorValues: 2, balances: verdict === 'pass' },
    maxIndicatorDeviation: 0,
    indicatorTolerance: 0.0001,
    durationMs: 12,
    worker: 'pt-1',
  };
}

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

function order(strategyId: string, n: number, decidedAt: number, overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    strategyId,
    orderId: `${strategyId}-o${n}`,
    symbol: 'BTCUSDT',
    side: 'buy',
    type: 'limit',
    quantity: '0.12345678',
    limitPrice: '64999.99',
    stopPrice: null,
    reduceOnly: false,
    status: 'open',
    filledQty: '0',
    avgPrice: null,
    fees: '0',
    reason: 'entry_long',
    decidedAt,
    arrivesAt: decidedAt + 73,
    triggeredAt: null,
    rejectReason: null,
    rejectMessage: null,
    updatedAt: decidedAt + 73,
    quality: { decisionPrice: '65000.1', arrivalMid: '65001.005', vwap: '0', slippageBps: '0', latencyMs: 73, levelsConsumed: 0 },
    ...overrides,
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
  const stores = storesClosedAfterEach();
  const setup = () => stores.setup(backend);

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

  it('deletes a strategy with everything stored for it; the id can then start afresh', async () => {
    const { store, reopen } = await setup();
    await store.upsertStrategy(strategy('gone', { status: 'stopped' }));
    await store.upsertStrategy(strategy('kept'));
    await store.saveState(state('gone', 1_000));
    await store.appendTrades('gone', [trade('gone', 1, 1_000)]);
    await store.appendTrades('kept', [trade('kept', 1, 1_000)]);
    await store.upsertOrders('gone', [order('gone', 1, 900)]);
    await store.appendEvents('gone', [{ strategyId: 'gone', seq: 1, type: 'trade', time: 1_000, data: {} }]);
    await store.appendEquity('gone', [{ time: 1_000, equity: '10000' }]);
    await store.saveParityCheck(parityCheck('gone', 'c-gone', 1_000, 'pass'));
    expect(await store.deleteStrategy('gone')).toBe(true);
    expect(await store.deleteStrategy('gone')).toBe(false);
    expect(await store.deleteStrategy('never')).toBe(false);
    for (const s of [store, await reopen()]) {
      expect((await s.listStrategies()).map((r) => r.id)).toEqual(['kept']);
      expect(await s.getStrategy('gone')).toBeNull();
      expect(await s.loadState('gone')).toBeNull();
      expect((await s.listTrades('gone', { limit: 10 })).items).toEqual([]);
      expect(await s.listOrders('gone', { limit: 10 })).toEqual([]);
      expect(await s.listEvents('gone', 0, 10)).toEqual([]);
      expect(await s.listEquity('gone', 0, 10)).toEqual([]);
      expect(await s.listParityChecks('gone', 10)).toEqual([]);
      expect((await s.listTrades('kept', { limit: 10 })).items).toHaveLength(1);
    }
    await store.upsertStrategy(strategy('gone'));
    expect(await store.countTrades('gone')).toBe(0);
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
    // a listing, then more fills: the next listing has them (no stale view of the file)
    await store.persistEffects('s1', { trades: [trade('s1', 5, 500)] });
    expect((await store.listTrades('s1', { limit: 10 })).items.map((t) => t.tradeId)).toEqual(['s1-t5', 's1-t4', 's1-t3', 's1-t2', 's1-t1']);
    await store.persistEffects('s1', { trades: [trade('s1', 5, 500)] });
    expect(await store.countTrades('s1')).toBe(5);
  });

  it('rejects trades of another strategy or with invalid money fields, storing nothing', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('s1'));
    await expect(store.appendTrades('s1', [trade('s1', 1, 100), trade('s2', 2, 200)])).rejects.toBeInstanceOf(ValidationError);
    await expect(store.appendTrades('s1', [{ ...trade('s1', 3, 300), price: '1e5' }])).rejects.toBeInstanceOf(ValidationError);
    expect(await store.countTrades('s1')).toBe(0);
  });

  it('orders trades with equal times by insertion, also past the ninth', async () => {
    const { store } = await setup();
    const same = Array.from({ length: 12 }, (_, i) => trade('ties', i + 1, 5_000));
    await store.appendTrades('ties', same);
    const page = await store.listTrades('ties', { limit: 100 });
    expect(page.items.map((t) => t.tradeId)).toEqual(same.map((t) => t.tradeId).reverse());
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

  it('stores trades with their liquidity, fill quality and provenance exactly', async () => {
    const { store } = await setup();
    const t: TradeRecord = {
      ...trade('q', 1, 100),
      liquidity: 'maker',
      quality: { decisionPrice: '65000.1', arrivalMid: '65000.005', vwap: '65010.12345678', slippageBps: '1.5409', latencyMs: 87, levelsConsumed: 3 },
      provenance: { source: 'book', model: 'book-walk' },
    };
    const modelled: TradeRecord = { ...trade('q', 3, 300), provenance: { source: 'modelled', model: 'candle-open' } };
    await store.appendTrades('q', [t, trade('q', 2, 200), modelled]);
    const page = await store.listTrades('q', { limit: 10 });
    expect(page.items).toEqual([modelled, trade('q', 2, 200), t]);
  });

  it('upserts orders by id with their fill quality and lists them newest decision first, open ones on request', async () => {
    const { store } = await setup();
    // decision times of different digit counts: ordering must be numeric
    await store.upsertOrders('s1', [order('s1', 1, 900), order('s1', 2, 30_000), order('s1', 3, 2_000)]);
    const filled = order('s1', 1, 900, {
      status: 'filled', filledQty: '0.12345678', avgPrice: '64999.5', fees: '0.00160492',
      quality: { decisionPrice: '65000.1', arrivalMid: '65001.005', vwap: '64999.5', slippageBps: '-0.0923', latencyMs: 73, levelsConsumed: 2 },
    });
    await store.upsertOrders('s1', [filled, order('s1', 3, 2_000, { status: 'cancelled', updatedAt: 9_000 })]);
    const all = await store.listOrders('s1', { limit: 10 });
    expect(all.map((o) => [o.orderId, o.status])).toEqual([['s1-o2', 'open'], ['s1-o3', 'cancelled'], ['s1-o1', 'filled']]);
    expect(all[2]).toEqual(filled);
    expect((await store.listOrders('s1', { limit: 10, openOnly: true })).map((o) => o.orderId)).toEqual(['s1-o2']);
    expect(await store.getOrder('s1', 's1-o1')).toEqual(filled);
    expect(await store.getOrder('s1', 'nope')).toBeNull();
    await expect(store.upsertOrders('s1', [order('s2', 9, 1)])).rejects.toBeInstanceOf(ValidationError);
  });

  it('appends the event log idempotently on seq and reads it in order', async () => {
    const { store } = await setup();
    const ev = (seq: number) => ({ strategyId: 's1', seq, type: 'order.filled', time: seq * 10, data: { n: seq, price: '1.10' } });
    await store.appendEvents('s1', [ev(1), ev(2), ev(3)]);
    await store.appendEvents('s1', [ev(3), { ...ev(2), type: 'changed' }, ev(4)]);
    const events = await store.listEvents('s1', 0, 100);
    expect(events).toEqual([ev(1), ev(2), ev(3), ev(4)]);
    expect(await store.listEvents('s1', 2, 1)).toEqual([ev(3)]);
    // more than nine: the order is numeric, not textual
    const many = Array.from({ length: 12 }, (_, i) => ev(i + 5));
    await store.appendEvents('s1', many);
    expect((await store.listEvents('s1', 0, 100)).map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('keeps a checksummed snapshot and reports a corrupt or missing one instead of trusting it', async () => {
    const { store, reopen } = await setup();
    expect(await store.loadSnapshot('s1')).toEqual({ status: 'missing' });
    const snap = { strategyId: 's1', eventSeq: 7, marketSeq: 99, time: 123_456, state: { ledger: { cash: '10.00000001' }, orders: [{ id: 'a' }] } };
    await store.saveSnapshot(snap);
    const loaded = await (await reopen()).loadSnapshot('s1');
    expect(loaded.status).toBe('ok');
    if (loaded.status === 'ok') {
      expect(loaded.snapshot).toEqual(snap);
      expect(loaded.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('stores every parity check once per id, lists them newest first, survives a restart and refuses a malformed one', async () => {
    const { store, reopen } = await setup();
    await store.upsertStrategy(strategy('s1'));
    expect(await store.listParityChecks('s1', 10)).toEqual([]);
    expect(await store.getParityCheck('s1', 'c1')).toBeNull();
    const pass = parityCheck('s1', 'c1', 1_000, 'pass');
    const fail = parityCheck('s1', 'c2', 3_000, 'fail');
    const middle = parityCheck('s1', 'c3', 2_000, 'pass');
    await store.saveParityCheck(pass);
    await store.saveParityCheck(fail);
    await store.saveParityCheck(middle);
    await store.saveParityCheck({ ...pass, verdict: 'fail' }); // the same id again: the first record stays
    expect(await store.listParityChecks('s1', 10)).toEqual([fail, middle, pass]);
    expect(await store.listParityChecks('s1', 2)).toEqual([fail, middle]);
    expect(await store.getParityCheck('s1', 'c2')).toEqual(fail);
    expect(await store.listParityChecks('s2', 10)).toEqual([]);
    const again = await reopen();
    expect(await again.listParityChecks('s1', 10)).toEqual([fail, middle, pass]);
    await expect(store.saveParityCheck({ ...pass, checkId: 'c9', verdict: 'maybe' as 'pass' })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.saveParityCheck({ ...pass, strategyId: '../x' })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.getParityCheck('s1', 'c9')).toBeNull();
  });

  it('keeps a strategy\'s warm-up history exactly, replaces it, survives a restart, deletes it with the strategy and refuses a gap', async () => {
    const { store, reopen } = await setup();
    const candle = (minute: number, close: string) => ({ openTime: minute * 60_000, closeTime: (minute + 1) * 60_000, open: '67000.1', high: '67010', low: '66990.25', close, volume: '1.23456789' });
    const first = { strategyId: 'warm', symbol: 'BTCUSDT', candles: [candle(28_633_000, '67001'), candle(28_633_001, '67002.5')] };
    await store.upsertStrategy(strategy('warm'));
    expect(await store.loadWarmupHistory('warm')).toBeNull();
    await store.saveWarmupHistory(first);
    expect(await store.loadWarmupHistory('warm')).toEqual(first);
    const second = { ...first, symbol: 'ETHUSDT', candles: [candle(28_633_005, '3000.01')] };
    await store.saveWarmupHistory(second);
    expect(await (await reopen()).loadWarmupHistory('warm')).toEqual(second);
    expect(await store.loadWarmupHistory('other')).toBeNull();
    await expect(store.saveWarmupHistory({ ...first, candles: [candle(1, '1'), candle(3, '1')] })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.saveWarmupHistory({ ...first, candles: [{ ...candle(1, '1'), close: 'x' }] })).rejects.toBeInstanceOf(ValidationError);
    expect(await store.loadWarmupHistory('warm')).toEqual(second);
    expect(await store.deleteStrategy('warm')).toBe(true);
    expect(await store.loadWarmupHistory('warm')).toBeNull();
  });

  it('writes a batch of effects together, state last', async () => {
    const { store } = await setup();
    await store.upsertStrategy(strategy('fx'));
    const effects = {
      trades: [trade('fx', 1, 100)],
      orders: [order('fx', 1, 50, { status: 'filled' as const })],
      events: [{ strategyId: 'fx', seq: 1, type: 'trade', time: 100, data: { tradeId: 'fx-t1' } }],
      positions: [{ strategyId: 'fx', symbol: 'BTCUSDT', quantity: '0.5', averagePrice: '100', unrealizedPnl: '0', realizedPnl: '0', updatedAt: 100 }],
      equity: [{ time: 100, equity: '10000.5' }],
      state: state('fx', 100),
    };
    await store.persistEffects('fx', effects);
    await store.persistEffects('fx', effects); // redelivered batch: nothing doubles
    expect(await store.countTrades('fx')).toBe(1);
    expect(await store.listOrders('fx', { limit: 5 })).toEqual(effects.orders);
    expect(await store.listEvents('fx', 0, 5)).toEqual(effects.events);
    expect(await store.loadPositions('fx')).toEqual(effects.positions);
    expect(await store.listEquity('fx', 0, 5)).toEqual(effects.equity);
    expect(await store.loadState('fx')).toEqual(effects.state);
  });

  it('writes several strategies\' batches at once, each as if written alone', async () => {
    const { store } = await setup();
    const batch = (id: string, n: number) => ({
      strategyId: id,
      effects: {
        trades: [trade(id, n, 100 + n)],
        orders: [order(id, n, 50, { status: 'filled' as const }), order(id, n, 50, { status: 'cancelled' as const })],
        events: [{ strategyId: id, seq: n, type: 'trade', time: 100, data: { n } }],
        positions: [{ strategyId: id, symbol: 'BTCUSDT', quantity: `0.${n}`, averagePrice: '100', unrealizedPnl: '0', realizedPnl: '0', updatedAt: 100 }],
        equity: [{ time: 100 + n, equity: `1000${n}` }],
        state: state(id, 100 + n),
      },
    });
    await store.persistMany([batch('ma', 1), batch('mb', 2)]);
    await store.persistMany([batch('ma', 1), batch('mb', 3)]);
    expect(await store.countTrades('ma')).toBe(1);
    expect(await store.countTrades('mb')).toBe(2);
    expect((await store.listOrders('ma', { limit: 5 })).map((o) => o.status)).toEqual(['cancelled']);
    expect(await store.loadState('mb')).toEqual(state('mb', 103));
    expect((await store.loadPositions('mb')).map((x) => x.quantity)).toEqual(['0.3']);
    expect(await store.listEquity('mb', 0, 10)).toEqual([{ time: 102, equity: '10002' }, { time: 103, equity: '10003' }]);
    expect((await store.listEvents('mb', 0, 10)).map((e) => e.seq)).toEqual([2, 3]);
    await expect(store.persistMany([{ strategyId: 'ma', effects: { trades: [trade('mb', 9, 1)] } }])).rejects.toBeInstanceOf(ValidationError);
  });

  it('appends market inputs once per source id, numbering them in log order', async () => {
    const { store, reopen } = await setup();
    const candle = (t: number) => ({ kind: 'candle' as const, time: t, sourceId: `candle:${t}`, data: { openTime: t, close: '1.5' } });
    const added = await store.appendMarketEvents('BTCUSDT', [candle(60_000), candle(120_000)]);
    expect(added.map((e) => e.seq)).toEqual([1, 2]);
    const again = await store.appendMarketEvents('BTCUSDT', [candle(120_000), { kind: 'trade', time: 130_000, sourceId: '5-0', data: { p: '2' } }, candle(180_000)]);
    expect(again.map((e) => [e.seq, e.sourceId])).toEqual([[3, '5-0'], [4, 'candle:180000']]);
    await store.appendMarketEvents('ETHUSDT', [candle(60_000)]);
    const other = await reopen();
    const all = await other.listMarketEvents('BTCUSDT', 0, 100);
    expect(all.map((e) => e.sourceId)).toEqual(['candle:60000', 'candle:120000', '5-0', 'candle:180000']);
    expect(all[0]).toEqual({ symbol: 'BTCUSDT', seq: 1, ...candle(60_000) });
    expect((await other.listMarketEvents('BTCUSDT', 2, 1)).map((e) => e.seq)).toEqual([3]);
    expect((await other.appendMarketEvents('BTCUSDT', [candle(240_000)])).map((e) => e.seq)).toEqual([5]);
    await other.appendMarketEvents('BTCUSDT', Array.from({ length: 10 }, (_, i) => candle(300_000 + i * 60_000)));
    expect((await other.listMarketEvents('BTCUSDT', 0, 100)).map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('appends numbered market inputs with their effects in one go, refusing a taken seq or source id and writing nothing then', async () => {
    const { store, reopen } = await setup();
    const candle = (t: number, seq: number) => ({ symbol: 'BTCUSDT', seq, kind: 'candle' as const, time: t, sourceId: `candle:${t}`, data: { openTime: t, close: '1.5' } });
    await store.appendMarketEvents('BTCUSDT', [{ kind: 'candle', time: 60_000, sourceId: 'candle:60000', data: { openTime: 60_000, close: '1.5' } }]);
    expect((await store.lastMarketEvents('BTCUSDT', 10)).map((e) => e.seq)).toEqual([1]);
    const effects = { trades: [trade('mx', 1, 120_000)], events: [{ strategyId: 'mx', seq: 1, type: 'trade', time: 120_000, data: { n: 1 } }], state: state('mx', 120_000) };
    await store.appendMarketEventsWithEffects('BTCUSDT', [candle(120_000, 2), candle(180_000, 3)], [{ strategyId: 'mx', effects }]);
    // a seq already taken, a source id already logged, a gap: each refused as a conflict, nothing written
    const refused = [
      [candle(240_000, 3)],
      [{ ...candle(180_000, 4) }],
      [candle(240_000, 5)],
    ];
    for (const market of refused) {
      const error = await store.appendMarketEventsWithEffects('BTCUSDT', market, [{ strategyId: 'mx', effects: { trades: [trade('mx', 2, 240_000)], state: state('mx', 240_000) } }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
    }
    await expect(store.appendMarketEventsWithEffects('BTCUSDT', [candle(240_000, 5), candle(300_000, 7)], [])).rejects.toBeInstanceOf(ValidationError);
    const other = await reopen();
    expect((await other.listMarketEvents('BTCUSDT', 0, 10)).map((e) => [e.seq, e.sourceId])).toEqual([[1, 'candle:60000'], [2, 'candle:120000'], [3, 'candle:180000']]);
    expect((await other.lastMarketEvents('BTCUSDT', 2)).map((e) => e.seq)).toEqual([2, 3]);
    expect(await other.lastMarketEvents('ETHUSDT', 2)).toEqual([]);
    expect(await other.countTrades('mx')).toBe(1);
    expect(await other.loadState('mx')).toEqual(state('mx', 120_000));
    expect(await other.listEvents('mx', 0, 5)).toEqual(effects.events);
    // the log continues from where the combined write left it, by either path
    expect((await other.appendMarketEvents('BTCUSDT', [{ kind: 'trade', time: 200_000, sourceId: 'trade:9', data: { price: '1', quantity: '1' } }])).map((e) => e.seq)).toEqual([4]);
  });

  it('prunes the oldest market inputs: later ones keep their seqs and the log continues after the last', async () => {
    const { store, reopen } = await setup();
    const trade = (n: number) => ({ kind: 'trade' as const, time: n * 1_000, sourceId: `trade:${n}`, data: { price: '1', quantity: '1' } });
    await store.appendMarketEvents('BTCUSDT', Array.from({ length: 10 }, (_, i) => trade(i + 1)));
    await store.appendMarketEvents('ETHUSDT', [trade(1)]);
    expect(await store.pruneMarketEvents('BTCUSDT', 4)).toBe(4);
    expect(await store.pruneMarketEvents('BTCUSDT', 4)).toBe(0);
    expect((await store.listMarketEvents('BTCUSDT', 0, 100)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect((await store.listMarketEvents('BTCUSDT', 6, 2)).map((e) => e.seq)).toEqual([7, 8]);
    expect((await store.listMarketEvents('BTCUSDT', 2, 2)).map((e) => e.seq)).toEqual([5, 6]);
    expect((await store.lastMarketEvents('BTCUSDT', 2)).map((e) => e.seq)).toEqual([9, 10]);
    const other = await reopen();
    expect((await other.appendMarketEvents('BTCUSDT', [trade(11)])).map((e) => e.seq)).toEqual([11]);
    await other.appendMarketEventsWithEffects('BTCUSDT', [{ symbol: 'BTCUSDT', seq: 12, ...trade(12) }], []);
    expect((await other.listMarketEvents('BTCUSDT', 0, 100)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await other.listMarketEvents('ETHUSDT', 0, 100)).map((e) => e.seq)).toEqual([1]);
    // the last input always stays, so numbering never starts over
    expect(await other.pruneMarketEvents('BTCUSDT', 1_000)).toBe(7);
    expect((await other.appendMarketEvents('BTCUSDT', [trade(13)])).map((e) => e.seq)).toEqual([13]);
  });

  it('pages through a long market log in order, before and after pruning, the same after a restart', async () => {
    const { store, reopen } = await setup();
    const event = (n: number) => ({ kind: (n % 60 === 0 ? 'candle' : n % 7 === 0 ? 'book' : 'trade') as 'candle' | 'book' | 'trade', time: 1_700_000_000_000 + n * 1_000, sourceId: `src:${n}`, data: { n, price: `${60_000 + (n % 97)}.25` } });
    for (let i = 0; i < 12; i++) await store.appendMarketEvents('BTCUSDT', Array.from({ length: 250 }, (_, k) => event(i * 250 + k + 1)));
    // redelivered inputs from anywhere in the log are skipped, new ones continue the numbering
    const again = await store.appendMarketEvents('BTCUSDT', [event(1), event(1_234), event(3_000), event(3_001)]);
    expect(again.map((e) => [e.seq, e.sourceId])).toEqual([[3_001, 'src:3001']]);
    const pageAll = async (s: StrategyStore, pageSize: number) => {
      const out: number[] = [];
      for (let after = 0; ; ) {
        const page = await s.listMarketEvents('BTCUSDT', after, pageSize);
        if (page.length === 0) return out;
        for (const e of page) out.push(e.seq);
        after = page[page.length - 1]!.seq;
      }
    };
    const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(await pageAll(store, 777)).toEqual(seqs(1, 3_001));
    expect(await store.listMarketEvents('BTCUSDT', 1_500, 3)).toEqual([1_501, 1_502, 1_503].map((n) => ({ symbol: 'BTCUSDT', seq: n, ...event(n) })));
    expect((await store.lastMarketEvents('BTCUSDT', 1_200)).map((e) => e.seq)).toEqual(seqs(1_802, 3_001));
    expect(await store.pruneMarketEvents('BTCUSDT', 1_111)).toBe(1_111);
    expect(await pageAll(store, 500)).toEqual(seqs(1_112, 3_001));
    expect((await store.listMarketEvents('BTCUSDT', 0, 2)).map((e) => e.seq)).toEqual([1_112, 1_113]);
    // a pruned source id is gone from the log: it would be appended again
    expect((await store.appendMarketEvents('BTCUSDT', [event(2_999), event(3_002)])).map((e) => e.seq)).toEqual([3_002]);
    const other = await reopen();
    expect(await pageAll(other, 1_000)).toEqual(seqs(1_112, 3_002));
    expect((await other.lastMarketEvents('BTCUSDT', 1)).map((e) => e.sourceId)).toEqual(['src:3002']);
    expect((await other.appendMarketEvents('BTCUSDT', [event(1_112), event(2_000), event(3_003)])).map((e) => e.seq)).toEqual([3_003]);
    await other.appendMarketEventsWithEffects('BTCUSDT', [{ symbol: 'BTCUSDT', seq: 3_004, ...event(3_004) }], []);
    await expect(other.appendMarketEventsWithEffects('BTCUSDT', [{ symbol: 'BTCUSDT', seq: 3_005, ...event(1_500) }], [])).rejects.toBeInstanceOf(ConflictError);
    expect(await other.pruneMarketEvents('BTCUSDT', 3_003)).toBe(3_003 - 1_111);
    expect(await pageAll(other, 10)).toEqual([3_004]);
  });

  it('reads nothing for a symbol never appended, also one that is not a symbol', async () => {
    const { store } = await setup();
    await store.appendMarketEvents('BTCUSDT', [{ kind: 'trade', time: 1, sourceId: 'trade:1', data: {} }]);
    for (const symbol of ['ETHUSDT', '../BTCUSDT', 'btcusdt']) {
      expect(await store.listMarketEvents(symbol, 0, 10)).toEqual([]);
      expect(await store.lastMarketEvents(symbol, 10)).toEqual([]);
    }
    await expect(store.appendMarketEvents('../BTCUSDT', [{ kind: 'trade', time: 1, sourceId: 'trade:1', data: {} }])).rejects.toBeInstanceOf(ValidationError);
  });

  it('gives a lease to one owner at a time until it expires or is released', async () => {
    const { store } = await setup();
    expect(await store.acquireLease('strategy:a', 'w1', 60_000)).toBe(true);
    expect(await store.acquireLease('strategy:a', 'w2', 60_000)).toBe(false);
    expect(await store.acquireLease('strategy:a', 'w1', 60_000)).toBe(true); // renewal
    expect((await store.getLease('strategy:a'))?.owner).toBe('w1');
    await store.releaseLease('strategy:a', 'w2'); // not the owner: no effect
    expect((await store.getLease('strategy:a'))?.owner).toBe('w1');
    await store.releaseLease('strategy:a', 'w1');
    expect(await store.getLease('strategy:a')).toBeNull();
    expect(await store.acquireLease('strategy:a', 'w2', 1)).toBe(true);
    await waitFor(async () => (await store.getLease('strategy:a')) === null, { what: 'lease expiry', timeoutMs: 2_000 });
    expect(await store.acquireLease('strategy:a', 'w1', 60_000)).toBe(true);
  });

  it('claims the start of a strategy once: of 50 concurrent claims exactly one wins; a live strategy, or one being started, is refused', async () => {
    const { store } = await setup();
    const claim = (owner: string, strategyId = 'claimed', ttlMs = 60_000) => store.claimStrategyStart({ strategyId, owner, ttlMs, maxLivePerOwner: null });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => claim(`client-${i % 5}`)));
    expect(outcomes.filter((o) => o.outcome === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in-progress')).toHaveLength(49);
    // the paper-trader confirms: the strategy is live, and a settled claim lets its status answer
    await store.upsertStrategy(strategy('claimed', { status: 'warming-up' }));
    expect(await claim('client-9')).toEqual({ outcome: 'in-progress' });
    await store.settleStrategyStart('claimed', 'client-9'); // not the owner: no effect
    expect(await claim('client-9')).toEqual({ outcome: 'in-progress' });
    const owner = outcomes.findIndex((o) => o.outcome === 'claimed') % 5;
    await store.settleStrategyStart('claimed', `client-${owner}`);
    expect(await claim('client-9')).toEqual({ outcome: 'live', status: 'warming-up' });
    // stopped: it may be started again
    await store.upsertStrategy(strategy('claimed', { status: 'stopped' }));
    expect(await claim('client-9')).toEqual({ outcome: 'claimed' });
    // a claim nobody settles lapses after its time; then the (absent) record decides
    expect(await claim('client-1', 'lapsing', 1)).toEqual({ outcome: 'claimed' });
    await waitFor(async () => (await claim('client-2', 'lapsing')).outcome === 'claimed', { what: 'the claim to lapse', timeoutMs: 5_000 });
  });

  it('caps an owner\'s live strategies, counting starts in progress, not stopped strategies or other owners, also under concurrency', async () => {
    const { store, reopen } = await setup();
    const claim = (owner: string, strategyId: string) => store.claimStrategyStart({ strategyId, owner, ttlMs: 60_000, maxLivePerOwner: 3 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => claim('key-a', `capped-${i}`)));
    const won = outcomes.map((o, i) => (o.outcome === 'claimed' ? `capped-${i}` : null)).filter((x): x is string => x !== null);
    expect(won).toHaveLength(3);
    expect(outcomes.filter((o) => o.outcome === 'limit-reached')[0]).toEqual({ outcome: 'limit-reached', live: 3, limit: 3 });
    expect(await claim('key-b', 'other-owner')).toEqual({ outcome: 'claimed' });
    // two run, one was stopped: one more fits; ownership and the count survive a restart
    for (const [i, id] of won.entries()) {
      await store.upsertStrategy(strategy(id, { status: i === 0 ? 'stopped' : 'running' }));
      await store.settleStrategyStart(id, 'key-a');
    }
    const other = await reopen();
    expect(await other.claimStrategyStart({ strategyId: 'capped-x', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: 3 })).toEqual({ outcome: 'claimed' });
    expect(await other.claimStrategyStart({ strategyId: 'capped-y', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: 3 })).toEqual({ outcome: 'limit-reached', live: 3, limit: 3 });
    expect(await other.claimStrategyStart({ strategyId: 'capped-y', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: null })).toEqual({ outcome: 'claimed' });
  });

  /** A store holding every kind of data, a pruned market log, a start claim and a lease. */
  async function fill(store: StrategyStore): Promise<void> {
    for (const id of ['alpha', 'beta']) {
      await store.upsertStrategy(strategy(id, { createdAt: id === 'alpha' ? 1_000 : 2_000, status: id === 'alpha' ? 'running' : 'stopped' }));
      await store.saveState(state(id, 1_718_000_600_000));
      await store.savePositions(id, [{ strategyId: id, symbol: 'BTCUSDT', quantity: '0.0015', averagePrice: '67000.1', unrealizedPnl: '13.2', realizedPnl: '-1.5', updatedAt: 1_718_000_600_000 }]);
    }
    // more than one backup line of trades (1,000 a line), equal times in insertion order
    await store.appendTrades('alpha', Array.from({ length: 1_203 }, (_, i) => trade('alpha', i, 1_718_000_000_000 + Math.floor(i / 3) * 60_000)));
    await store.appendTrades('beta', [trade('beta', 1, 1_718_000_000_000)]);
    await store.appendEquity('alpha', Array.from({ length: 50 }, (_, i) => ({ time: 1_718_000_000_000 + i * 60_000, equity: `10000.${i}` })));
    await store.upsertOrders('alpha', [order('alpha', 1, 5_000), order('alpha', 2, 5_000), order('alpha', 3, 4_000)]);
    await store.upsertOrders('alpha', [order('alpha', 1, 5_000, { status: 'filled', filledQty: '0.12345678', avgPrice: '64999.99' })]);
    await store.appendEvents('alpha', Array.from({ length: 7 }, (_, i) => ({ strategyId: 'alpha', seq: i + 1, type: 'fill', time: 1_000 + i, data: { n: i, nested: { x: [1, 'é'] } } })));
    await store.saveSnapshot({ strategyId: 'alpha', eventSeq: 7, marketSeq: 6, time: 1_718_000_600_000, state: { core: { n: 1 } } });
    for (let i = 0; i < 3; i++) await store.saveParityCheck(parityCheck('alpha', `p${i}`, 1_718_000_000_000 + i * 900_000, i === 1 ? 'fail' : 'pass'));
    await store.saveWarmupHistory({ strategyId: 'alpha', symbol: 'BTCUSDT', candles: [{ openTime: 60_000, closeTime: 120_000, open: '1', high: '2', low: '0.5', close: '1.5', volume: '10' }] });
    await store.appendMarketEvents('BTCUSDT', Array.from({ length: 1_500 }, (_, i) => ({ kind: 'trade' as const, time: i * 1_000, sourceId: `trade:${i}`, data: { price: '1.5', quantity: '2' } })));
    await store.pruneMarketEvents('BTCUSDT', 5);
    await store.appendMarketEvents('ETHUSDT', [{ kind: 'candle', time: 60_000, sourceId: 'candle:60000', data: { close: '3' } }]);
    await store.upsertStrategy(strategy('alpha', { createdAt: 1_000, status: 'stopped' }));
    expect(await store.claimStrategyStart({ strategyId: 'alpha', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: null })).toEqual({ outcome: 'claimed' });
    await store.upsertStrategy(strategy('alpha', { createdAt: 1_000, status: 'running' }));
    await store.settleStrategyStart('alpha', 'key-a');
    expect(await store.acquireLease('strategy:alpha', 'worker-1', 60_000)).toBe(true);
    // notification deliveries in every state: delivered, to retry, failed for good, being sent right now
    const errored = (n: number) => ({ id: `status:alpha:${n}:errored`, type: 'strategy.errored' as const, time: 1_718_000_000_000 + n, strategyId: 'alpha', text: `alpha stopped (${n})`, data: { error: 'é boom' } });
    await store.outbox.enqueue([1, 2, 3, 4].map((n) => ({ event: errored(n), channels: ['webhook', 'slack'] as const })), 1_718_000_000_000);
    const claimed = await store.outbox.claim({ channel: 'webhook', owner: 'sender-1', now: 1_718_000_100_000, limit: 4, leaseMs: 60_000 });
    await store.outbox.settle(claimed[0]!.eventId, 'webhook', 'sender-1', { status: 'delivered', at: 1_718_000_100_500 });
    await store.outbox.settle(claimed[1]!.eventId, 'webhook', 'sender-1', { status: 'retry', error: 'HTTP 503', retryAt: 1_718_000_200_000 });
    await store.outbox.settle(claimed[2]!.eventId, 'webhook', 'sender-1', { status: 'failed', error: 'HTTP 404' });
  }

  /** Everything a store answers, through its public reads. */
  async function contents(store: StrategyStore) {
    const out: Record<string, unknown> = { strategies: await store.listStrategies(), symbols: await store.listMarketSymbols() };
    for (const { id } of await store.listStrategies()) {
      const trades = await allTradesOldestFirst(store, id);
      out[id] = {
        state: await store.loadState(id),
        positions: await store.loadPositions(id),
        trades,
        equity: await store.listEquity(id, 0, 10_000),
        orders: await store.listOrders(id, { limit: 100 }),
        events: await store.listEvents(id, 0, 100),
        snapshot: await store.loadSnapshot(id),
        parity: await store.listParityChecks(id, 100),
        warmup: await store.loadWarmupHistory(id),
      };
    }
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) out[symbol] = await store.listMarketEvents(symbol, 0, 10_000);
    out['outbox'] = await store.outbox.recent(1_000);
    return out;
  }

  async function collect(records: AsyncIterable<BackupRecord>): Promise<BackupRecord[]> {
    const out: BackupRecord[] = [];
    for await (const r of records) out.push(r);
    return out;
  }

  async function* replay(records: readonly BackupRecord[]): AsyncGenerator<BackupRecord> {
    yield* records;
  }

  it.each(backends.map((b) => b.name))('exports everything but leases, and imports it exactly into an empty %s store', async (targetName) => {
    const { store } = await setup();
    await fill(store);
    const records = await collect(store.exportData());
    expect(records[0]).toMatchObject({ kind: 'header', format: 'btc-research-backup', version: 1, source: backend.storeKind });
    expect(records.filter((r) => r.kind === 'trades').map((r) => (r.kind === 'trades' ? r.trades.length : 0))).toEqual([1_000, 203, 1]);
    expect(JSON.stringify(records)).not.toContain('worker-1');

    const target = backends.find((b) => b.name === targetName)!;
    const restored = await stores.fresh(target);
    const counts = await restored.importData(replay(records));
    expect(counts).toEqual({ strategies: 2, trades: 1_204, orders: 3, events: 7, equityPoints: 50, snapshots: 1, marketEvents: 1_496, notifications: 8 });
    expect(await contents(restored)).toEqual(await contents(store));
    // the delivery being sent when the backup was taken is pending again, sent once more; the others keep their outcome
    const due = await restored.outbox.claim({ channel: 'webhook', owner: 'sender-2', now: 1_718_000_300_000, limit: 10, leaseMs: 60_000 });
    expect(due.map((d) => [d.eventId, d.attempts])).toEqual([
      ['status:alpha:2:errored', 2],
      ['status:alpha:4:errored', 2],
    ]);
    expect(await restored.getLease('strategy:alpha')).toBeNull();
    // ownership came along: the restored live strategy counts against its owner's cap
    expect(await restored.claimStrategyStart({ strategyId: 'gamma', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: 1 })).toEqual({ outcome: 'limit-reached', live: 1, limit: 1 });
    // the restored log continues where it ended
    expect((await restored.appendMarketEvents('BTCUSDT', [{ kind: 'trade', time: 9e6, sourceId: 'trade:new', data: {} }])).map((e) => e.seq)).toEqual([1_501]);

    // a store that holds anything is refused, and nothing is written to it
    await expect(restored.importData(replay(records))).rejects.toBeInstanceOf(ConflictError);
    expect(await restored.countTrades('alpha')).toBe(1_203);
    await restored.clear();
    expect(await restored.listStrategies()).toEqual([]);
    expect(await restored.listMarketSymbols()).toEqual([]);
    expect(await restored.claimStrategyStart({ strategyId: 'gamma', owner: 'key-a', ttlMs: 60_000, maxLivePerOwner: 1 })).toEqual({ outcome: 'claimed' });
  });

  it('refuses records that are out of place or a snapshot that does not match its checksum, as a ValidationError', async () => {
    const { store } = await setup();
    await fill(store);
    const records = await collect(store.exportData());
    const fresh = () => stores.fresh(backend);
    await expect((await fresh()).importData(replay(records.slice(1)))).rejects.toBeInstanceOf(ValidationError);
    const tampered = records.map((r) => (r.kind === 'snapshot' ? { ...r, snapshot: { ...r.snapshot, marketSeq: 7 } } : r));
    await expect((await fresh()).importData(replay(tampered))).rejects.toBeInstanceOf(ValidationError);
  });
});
