import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '@btc-research/engine';
import { createBus, createLogger, waitFor, type MessageBus, type StrategyStore } from '@btc-research/platform';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { simulatedCandles } from '../helpers/simulated-klines.js';
import { allTrades, backtest, canonicalDecimal, demoRunDir, makeBackend, removeRun, publishCandles, storedTradeRow, tradeRow, uniqueSymbol, type Backend, type StrategyFile } from './paper-trader.harness.js';

// Two paper-trader workers share PostgreSQL and Redis. One owns the strategies and writes the
// market log; it is killed with SIGKILL mid-stream. The other takes the market log and the
// strategies over when their leases expire; nothing is lost or doubled.
const REDIS_URL = 'redis://127.0.0.1:6379/4'; // streams are named after a symbol unique to the run

describe('two paper-trader workers on PostgreSQL', () => {
  let dir: string;
  let strategies: StrategyFile[];
  let candles: Candle[];
  let bus: MessageBus;
  let backend: Backend;
  let store: StrategyStore;
  const procs: ServiceProcess[] = [];
  const redis = new Redis(REDIS_URL);
  const { base, symbol } = uniqueSymbol();

  beforeAll(async () => {
    ({ dir, strategies } = await demoRunDir('btc-takeover-', base));
    candles = simulatedCandles(1_500, 4_321);
    bus = createBus({ redisUrl: REDIS_URL, logger: createLogger('takeover-test', { level: 'silent' }) });
    backend = await makeBackend('postgres', path.join(dir, 'data'));
    store = await backend.open();
  });

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await store.close();
    await backend.dispose();
    await bus.close();
    await removeRun(redis, symbol, dir);
  });

  it('moves the dead worker’s strategies to the other worker with nothing lost or doubled', async () => {
    const env = (name: string) => ({ ...backend.env, REDIS_URL, CONFIG_DIR: path.join(dir, 'config'), AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: name, LEASE_TTL_MS: '1500', MARKET_LOG_POLL_MS: '20' });
    const first = startServiceProcess('paper-trader', env('worker-a'));
    procs.push(first);
    for (const s of strategies) {
      await waitFor(async () => (await store.getLease(`strategy:${s.id}`))?.owner === 'worker-a', { timeoutMs: 30_000, what: `worker-a to own ${s.id}` });
    }
    procs.push(startServiceProcess('paper-trader', env('worker-b')));
    const half = Math.floor(candles.length / 2);
    await publishCandles(bus, symbol, candles.slice(0, half));
    const halfClose = candles[half - 1]!.closeTime;
    for (const s of strategies) {
      await waitFor(async () => ((await store.loadState(s.id))?.lastCandleCloseTime ?? 0) >= halfClose - 60_000 * 200, { timeoutMs: 30_000, what: `${s.id} to be well under way` });
    }
    // the owner dies in the middle of the stream
    first.child.kill('SIGKILL');
    await first.stop();
    await publishCandles(bus, symbol, candles.slice(half));

    const lastClose = candles[candles.length - 1]!.closeTime;
    for (const s of strategies) {
      await waitFor(async () => (await store.loadState(s.id))?.lastCandleCloseTime === lastClose, { timeoutMs: 60_000, intervalMs: 100, what: `${s.id} to finish on the other worker` });
      expect((await store.getLease(`strategy:${s.id}`))?.owner).toBe('worker-b');
    }
    expect((await store.getLease('market-log'))?.owner).toBe('worker-b');
    let total = 0;
    for (const s of strategies) {
      const expected = backtest(s, candles);
      const trades = await allTrades(store, s.id);
      expect(trades.map(storedTradeRow).map(normalise)).toEqual(expected.trades.map(tradeRow).map(normalise));
      expect(await store.countTrades(s.id)).toBe(expected.trades.length);
      const state = (await store.loadState(s.id))!;
      expect(canonicalDecimal(state.equity)).toBe(expected.core.summary().equity);
      total += trades.length;
    }
    expect(total).toBeGreaterThan(10);
  }, 150_000);
});

function normalise(row: unknown[]): unknown[] {
  return row.map((x) => (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? canonicalDecimal(x) : x));
}
