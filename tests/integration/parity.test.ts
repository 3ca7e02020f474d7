import fs from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingCore, buildTradingSetup, type Candle } from '@btc-research/engine';
import { waitFor, type StrategyStore } from '@btc-research/platform';
import { freePort, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { simulatedCandles, toBinanceKlineCsv } from '../helpers/simulated-klines.js';
import { allOrders, allTrades, backtest, canonicalDecimal, demoRunDir, makeBackend, removeRun, storedTradeRow, tradeRow, uniqueSymbol, type Backend, type StrategyFile } from './paper-trader.harness.js';

// Parity: recorded market data replayed by stream-manager → Redis Streams → paper-trader gives the
// same signals, orders (with their fill quality) and fills as `btc-research backtest` over the same
// candles (buildTradingSetup + runBacktest is what the CLI runs).
const REDIS_URL = 'redis://127.0.0.1:6379/5'; // streams are named after a symbol unique to the run

describe.each(['json', 'postgres'] as const)('replay through the live pipeline vs backtest: %s store', (backendName) => {
  let dir: string;
  let strategies: StrategyFile[];
  let candles: Candle[];
  let backend: Backend;
  let store: StrategyStore;
  const procs: ServiceProcess[] = [];
  const redis = new Redis(REDIS_URL);
  const { base, symbol } = uniqueSymbol();
  let apiUrl: string | null = null;

  beforeAll(async () => {
    ({ dir, strategies } = await demoRunDir(`btc-parity-${backendName}-`, base));
    candles = simulatedCandles(2_000, 9_090);
    await fs.writeFile(path.join(dir, 'klines.csv'), toBinanceKlineCsv(candles));
    backend = await makeBackend(backendName, path.join(dir, 'data'));
    store = await backend.open();
    const common = { ...backend.env, REDIS_URL, CONFIG_DIR: path.join(dir, 'config') };
    procs.push(startServiceProcess('paper-trader', { ...common, AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: `parity-${backendName}`, PARITY_INTERVAL_MS: '300' }));
    for (const s of strategies) await waitFor(async () => (await store.getStrategy(s.id))?.status === 'warming-up', { timeoutMs: 30_000, what: `${s.id} started` });
    if (backendName === 'json') {
      // the API reads the same files: each order's fill quality as a client sees it
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}`;
      procs.push(startServiceProcess('api-server', { ...common, API_PORT: String(port), API_HOST: '127.0.0.1' }));
      await waitFor(async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok, { timeoutMs: 30_000, what: 'api-server health' });
    }
    procs.push(startServiceProcess('stream-manager', { ...common, SYMBOLS: symbol, MARKET_DATA_SOURCE: 'replay', REPLAY_FILE: path.join(dir, 'klines.csv'), REPLAY_SPEED: 'max' }));
  }, 90_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await store.close();
    await backend.dispose();
    await removeRun(redis, symbol, dir);
  });

  it('yields the same signals, orders with fill quality, and fills', async () => {
    const lastClose = candles[candles.length - 1]!.closeTime;
    let fills = 0;
    for (const s of strategies) {
      await waitFor(async () => (await store.loadState(s.id))?.lastCandleCloseTime === lastClose, { timeoutMs: 60_000, intervalMs: 100, what: `${s.id} to process the replay` });
      const expected = backtest(s, candles);
      const trades = await allTrades(store, s.id);
      expect(trades.map(storedTradeRow).map(normalise)).toEqual(expected.trades.map(tradeRow).map(normalise));
      fills += trades.length;

      const orders = await allOrders(store, s.id);
      const orderRow = (o: { orderId: string; side: string; type: string; quantity: string; limitPrice: string | null; stopPrice: string | null; status: string; filledQty: string; avgPrice: string | null; fees: string; reason: string; quality: unknown }) =>
        normalise([o.orderId, o.side, o.type, o.quantity, o.limitPrice, o.stopPrice, o.status, o.filledQty, o.avgPrice, o.fees, o.reason, o.quality]);
      expect(orders.map(orderRow)).toEqual(expected.orders.map(orderRow));

      // signals: the event log against the core run directly over the candles
      const setup = buildTradingSetup(s.yaml, s.file, { strategyId: s.id, tradingStartTime: 0 });
      if (!setup.ok) throw new Error('invalid config');
      const core = new TradingCore(setup.strategy, setup.coreOptions);
      const signals = candles.flatMap((c) => core.onMinuteCandle(c).flatMap((e) => (e.type === 'signal' ? [[e.signal, e.time, e.price]] : [])));
      const logged = (await store.listEvents(s.id, 0, 1_000_000)).filter((e) => e.type === 'signal').map((e) => {
        const d = e.data as { signal: string; price: number };
        return [d.signal, e.time, d.price];
      });
      expect(logged).toEqual(signals);
    }
    if (apiUrl !== null) {
      const s = strategies.find((x) => x.id === 'risky-ema')!;
      const expected = backtest(s, candles);
      const res = await fetch(`${apiUrl}/api/v1/strategies/risky-ema/orders?limit=1000`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Array<{ orderId: string; status: string; fillQuality: unknown }> };
      const shown = body.items.reverse().map((o) => [o.orderId, o.status, o.fillQuality]);
      expect(shown).toEqual(expected.orders.map((o) => [o.orderId, o.status, o.quality]));
      // candles only: every fill is modelled and no order walked a book level
      expect(shown.filter(([, status]) => status === 'filled').length).toBeGreaterThan(0);
      expect(shown.every(([, , q]) => (q as { levelsConsumed: number }).levelsConsumed === 0)).toBe(true);
      const trades = (await (await fetch(`${apiUrl}/api/v1/strategies/risky-ema/trades?limit=1000`)).json()) as { items: Array<{ provenance?: { source: string } }> };
      expect(trades.items.length).toBeGreaterThan(0);
      expect(trades.items.every((t) => t.provenance?.source === 'modelled')).toBe(true);
    }
    const risky = await allOrders(store, 'risky-ema');
    expect(new Set(risky.map((o) => o.type))).toEqual(new Set(['market', 'stop_market', 'limit']));
    expect(risky.some((o) => o.status === 'filled' && o.type !== 'market')).toBe(true);
    expect(fills).toBeGreaterThan(20);
  }, 120_000);

  it('the parity monitor agrees: every check of the running strategies passes, together covering the whole replay', async () => {
    for (const s of strategies) await expectParityChecksPass(store, s.id, apiUrl);
  }, 90_000);
});

/**
 * The parity monitor of the paper-trader process agrees: its scheduled checks of each strategy
 * (every 300 ms here) pass, chained from the log's start to the last input processed, and together
 * compare every event in the strategy's log. Runs after the test above (the replay is processed).
 */
async function expectParityChecksPass(store: StrategyStore, strategyId: string, apiUrl: string | null): Promise<void> {
  const state = await store.loadState(strategyId);
  const marketSeq = (state?.core as { marketSeq: number }).marketSeq;
  await waitFor(async () => (await store.listParityChecks(strategyId, 10_000)).some((c) => c.window.toSeq === marketSeq), { timeoutMs: 60_000, intervalMs: 100, what: `a parity check of ${strategyId} to the end` });
  const checks = (await store.listParityChecks(strategyId, 10_000)).reverse();
  expect(checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
  let covered = 0;
  for (const c of checks) {
    if (c.window.inputs === 0 || c.window.toSeq! > marketSeq) continue;
    expect(c.window.fromSeq).toBe(covered + 1);
    covered = c.window.toSeq!;
  }
  expect(covered).toBe(marketSeq);
  const events = await store.listEvents(strategyId, 0, 1_000_000);
  expect(checks.filter((c) => (c.window.toSeq ?? 0) <= marketSeq).reduce((n, c) => n + c.compared.events, 0)).toBe(events.length);
  expect(events.length).toBeGreaterThan(10);
  if (apiUrl !== null) {
    const res = await fetch(`${apiUrl}/api/v1/strategies/${strategyId}/parity`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { latest: { verdict: string } | null; history: unknown[] };
    expect(body.latest?.verdict).toBe('pass');
    expect(body.history.length).toBeGreaterThan(0);
  }
}

function normalise(row: unknown[]): unknown[] {
  return row.map((x) => (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? canonicalDecimal(x) : x));
}
