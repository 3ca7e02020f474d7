import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, toDecimalString, type Candle } from '@btc-research/engine';
import { createBus, createLogger, waitFor, type MessageBus, type StrategyStore } from '@btc-research/platform';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { simulatedCandles } from '../helpers/simulated-klines.js';
import { allOrders, allTrades, backtest, canonicalDecimal, demoRunDir, makeBackend, removeRun, publishCandles, seeded, storedTradeRow, tradeRow, uniqueSymbol, type StrategyFile } from './paper-trader.harness.js';

// kill -9 the paper-trader at random moments while market data streams in through Redis; after the
// last restart the stored trades, orders, balances and positions must equal an uninterrupted run
// (the backtest over the same candles is that run: same TradingCore, same inputs).
const REDIS_DB = 3; // streams are named after a symbol unique to each run, so other users of this DB do not matter
const REDIS_URL = `redis://127.0.0.1:6379/${REDIS_DB}`;
const KILLS = 20;
const CANDLES = 1_800;

describe.each(['json', 'postgres'] as const)('paper-trader killed with SIGKILL 20 times during a replay: %s backend', (backendName) => {
  let dir: string;
  let strategies: StrategyFile[];
  let candles: Candle[];
  let bus: MessageBus;
  const redis = new Redis(REDIS_URL);
  const log: string[] = [];
  const { base, symbol } = uniqueSymbol();

  beforeAll(async () => {
    ({ dir, strategies } = await demoRunDir(`btc-crash-${backendName}-`, base));
    candles = simulatedCandles(CANDLES, 777);
    bus = createBus({ redisUrl: REDIS_URL, logger: createLogger('crash-test', { level: 'silent' }) });
  });

  afterAll(async () => {
    await bus.close();
    await removeRun(redis, symbol, dir);
  });

  it('ends with exactly the trades, orders, balances and positions of an uninterrupted run', async () => {
    const backend = await makeBackend(backendName, path.join(dir, 'data'));
    let store: StrategyStore | null = null;
    let proc: ServiceProcess | null = null;
    try {
      const env = { ...backend.env, REDIS_URL, CONFIG_DIR: path.join(dir, 'config'), AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: 'crash-worker', LEASE_TTL_MS: '3000', SNAPSHOT_INTERVAL_MS: '200', LOG_LEVEL: 'info' };
      // restarts that continued from a snapshot image rather than replaying the whole log
      let resumedFromImage = 0;
      const countResumes = (p: ServiceProcess) => (resumedFromImage += (p.output().match(/"resumedAt":\d+/g) ?? []).length);
      const rand = seeded(backendName === 'json' ? 101 : 202);
      // market data arrives while the trader is being killed: a steady stream in chunks
      let published = 0;
      const publisher = (async () => {
        while (published < candles.length) {
          const chunk = candles.slice(published, published + 40);
          await publishCandles(bus, symbol, chunk);
          published += chunk.length;
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      for (let k = 0; k < KILLS; k++) {
        proc = startServiceProcess('paper-trader', env);
        // a random moment: during start-up recovery, the replay of the log, or live processing —
        // counted from the process's first log line (it holds the store then), so a slow machine
        // that takes seconds to load the code does not turn every kill into one before any work
        const running = proc;
        await waitFor(() => running.output().length > 0 || running.child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 20, what: 'the paper-trader to start working' });
        const delay = Math.floor(rand() * 2_500);
        await new Promise((r) => setTimeout(r, delay));
        proc.child.kill('SIGKILL');
        await proc.stop();
        if (process.env['CRASH_DEBUG']) console.log(proc.output().split('\n').filter((l) => /"level":(40|50)/.test(l)).slice(0, 5).join('\n'));
        countResumes(proc);
        log.push(`kill ${k + 1} ${delay} ms after its first log line (published ${published})`);
        proc = null;
      }
      await publisher;
      proc = startServiceProcess('paper-trader', env);
      store = await backend.open();
      const lastClose = candles[candles.length - 1]!.closeTime;
      for (const s of strategies) {
        await waitFor(async () => (await store!.loadState(s.id))?.lastCandleCloseTime === lastClose, { timeoutMs: 90_000, intervalMs: 100, what: `${s.id} to process every candle` }).catch((err: unknown) => {
          if (process.env['CRASH_DEBUG']) console.log(proc?.output().split('\n').slice(-40).join('\n'));
          throw err;
        });
      }

      countResumes(proc);
      if (process.env['CRASH_DEBUG']) console.log('restarts resumed from a snapshot image:', resumedFromImage);
      // most restarts continue from an image (the rest replay everything); both paths must be exact
      expect(resumedFromImage).toBeGreaterThan(KILLS / 2);

      let totalTrades = 0;
      for (const s of strategies) {
        const expected = backtest(s, candles);
        const trades = await allTrades(store, s.id);
        if (process.env['CRASH_DEBUG']) {
          const a = trades.map(storedTradeRow).map(normaliseRow);
          const b = expected.trades.map(tradeRow).map(normaliseRow);
          const i = a.findIndex((r, k) => JSON.stringify(r) !== JSON.stringify(b[k]));
          console.log(s.id, 'first mismatch', i, JSON.stringify(a[i]), JSON.stringify(b[i]), 'state', JSON.stringify(await store.loadState(s.id)));
          console.log(proc?.output().split('\n').filter((l) => /error|warn|disagree|corrupt/i.test(l)).slice(0, 20).join('\n'));
        }
        expect(trades.map(storedTradeRow).map(normaliseRow)).toEqual(expected.trades.map(tradeRow).map(normaliseRow));
        totalTrades += trades.length;
        // money reconciles exactly: cash = initial + every fill's cash flow
        const state = (await store.loadState(s.id))!;
        let cash = new Decimal(10_000);
        for (const t of trades) {
          const notional = new Decimal(t.quantity).times(t.price);
          cash = (t.side === 'buy' ? cash.minus(notional) : cash.plus(notional)).minus(t.fee);
        }
        expect(canonicalDecimal(state.cash)).toBe(toDecimalString(cash));
        const ledger = expected.core.summary().ledger;
        expect([state.cash, state.positionQty, state.avgEntryPrice, state.realizedPnl, state.feesPaid].map(canonicalDecimal)).toEqual([ledger.cash, ledger.quantity, ledger.avgEntryPrice, ledger.realizedPnl, ledger.feesPaid]);
        expect(canonicalDecimal(state.equity)).toBe(expected.core.summary().equity);
        const [position] = await store.loadPositions(s.id);
        expect([position?.quantity, position?.averagePrice].map((x) => canonicalDecimal(x ?? ''))).toEqual([ledger.quantity, ledger.avgEntryPrice]);
        const orders = await allOrders(store, s.id);
        expect(orders.map((o) => [o.orderId, o.type, o.status, canonicalDecimal(o.filledQty), o.reason])).toEqual(expected.orders.map((o) => [o.orderId, o.type, o.status, o.filledQty, o.reason]));
      }
      // the risk rules produced stops and targets, so more than market orders were exercised
      const risky = await allOrders(store, 'risky-ema');
      expect(new Set(risky.map((o) => o.type))).toEqual(new Set(['market', 'stop_market', 'limit']));
      expect(totalTrades).toBeGreaterThan(20);
      expect(log).toHaveLength(KILLS);
    } finally {
      if (proc) await proc.stop();
      await store?.close();
      await backend.dispose();
    }
  }, 240_000);
});

function normaliseRow(row: unknown[]): unknown[] {
  return row.map((x) => (typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? canonicalDecimal(x) : x));
}
