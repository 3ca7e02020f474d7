import fs from 'node:fs/promises';
import path from 'node:path';
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { TradingCore, buildTradingSetup, decodeRecordedInput, type Candle } from '@btc-research/engine';
import { createLogger, loadStrategyHistory, waitFor } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { CandleHistory } from '../../services/api-server/src/read-model/candle-history.js';
import { reconcileReport } from '../../services/api-server/src/read-model/reconcile-report.js';
import { warmupProgress } from '../../services/api-server/src/read-model/warmup-progress.js';
import { runParityCheck } from '../../services/paper-trader/src/parity-check.js';
import { startPaperTrader } from '../../services/paper-trader/src/service.js';
import { testConfig } from '../../services/paper-trader/src/testing/test-config.js';
import { candlesBefore } from '../../services/paper-trader/src/warmup-history.js';
import { readStreamManagerConfig } from '../../services/stream-manager/src/config.js';
import { startStreamManager } from '../../services/stream-manager/src/service.js';
import { LiveSystem } from './live-system.js';
import { uniqueSymbol } from './support.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', 'config');
const logger = createLogger('test', { level: 'silent' });
/** the slow EMA's length on 1m candles: a warm-up of 600 minutes */
const SLOW = 599;

/**
 * A strategy started on a symbol the system serves already, whose market log holds far less than
 * its warm-up: the stream-manager sends it a warm-up history of its own, the paper-trader stores it
 * and rebuilds the strategy on history + log (the log itself is left as it is).
 */
describe('warm-up history for a strategy on a symbol already served', () => {
  const sys = LiveSystem.perTest('sm-warmup-');

  function slowYaml(symbol: string): string {
    return demoYaml
      .replace('symbol: "BTC/USDT"', `symbol: "${symbol.slice(0, -4)}/USDT"`)
      .replaceAll('"5m"', '"1m"')
      .replace('length: 21', `length: ${SLOW}`)
      .replaceAll('EMA_21', `EMA_${SLOW}`);
  }
  let demoYaml = '';
  const baseYaml = (symbol: string): string => demoYaml.replace('symbol: "BTC/USDT"', `symbol: "${symbol.slice(0, -4)}/USDT"`);

  /** started now through the commands stream, as the API does */
  async function start(strategyId: string, yaml: string): Promise<void> {
    const t = Date.now();
    await sys.bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStart, id: `start-${strategyId}`, source: 'test', tsEvent: t, tsInit: t, payload: { strategyId, configName: `${strategyId}.yaml`, configYaml: yaml } }), StreamRetention.commands);
  }

  async function logCandles(symbol: string): Promise<Array<{ seq: number; candle: Candle }>> {
    const out: Array<{ seq: number; candle: Candle }> = [];
    for (let after = 0; ; ) {
      const page = await sys.store.listMarketEvents(symbol, after, 5_000);
      if (page.length === 0) return out;
      for (const e of page) {
        const input = decodeRecordedInput(e);
        if (input.kind === 'candle') out.push({ seq: e.seq, candle: input.candle });
      }
      after = page[page.length - 1]!.seq;
    }
  }

  /** A backtest core over the stored warm-up history right before the log, then the log's candles up to `uptoSeq`. */
  async function backtestColumns(strategyId: string, symbol: string, yaml: string, tradingStartTime: number, uptoSeq: number) {
    const log = (await logCandles(symbol)).filter((c) => c.seq <= uptoSeq);
    const history = await sys.store.loadWarmupHistory(strategyId);
    const warmup = history === null ? [] : candlesBefore(history, log[0]!.candle.openTime);
    const setup = buildTradingSetup(yaml, `${strategyId}.yaml`, { strategyId, tradingStartTime });
    if (!setup.ok) throw new Error(JSON.stringify(setup.errors));
    const core = new TradingCore(setup.strategy, setup.coreOptions);
    const candles = [...warmup, ...log.map((c) => c.candle)];
    for (let i = 1; i < candles.length; i++) expect(candles[i]!.openTime).toBe(candles[i - 1]!.closeTime); // contiguous
    for (const candle of candles) core.onMinuteCandle(candle);
    return { columns: core.logic.columns(), ready: core.logic.isReady(), warmup: warmup.length, log: log.length };
  }

  /** The log's last seq once nothing is appended any more (the source stopped) and the strategy processed it. */
  async function quietLogEnd(symbol: string, id: string): Promise<number> {
    let last = -1;
    return waitFor(async () => {
      const end = (await sys.store.lastMarketEvents(symbol, 1))[0]!.seq;
      const quiet = end === last && sys.trader?.runners().get(id)?.marketSeq === end;
      last = end;
      return quiet ? end : null;
    }, { timeoutMs: 20_000, intervalMs: 300, what: `${id} at the end of a quiet log` });
  }

  async function runningRunner(id: string) {
    return waitFor(() => {
      const r = sys.trader?.runners().get(id);
      return r && r.core.logic.isReady() ? r : null;
    }, { timeoutMs: 20_000, what: `${id} warmed up` });
  }

  it('on the simulator: a 600-minute warm-up on a symbol whose log holds 60 minutes is running within seconds, equal to a backtest over the same candles, and a rebuild after a restart is identical', async () => {
    demoYaml = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const symbol = uniqueSymbol('W');
    const yaml = slowYaml(symbol);
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir, { snapshotIntervalMs: 60_000 }), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'simulated', SYMBOLS: symbol, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '60' }), bus: sys.bus, logger });
    await start('base-sim', baseYaml(symbol)); // the symbol is served and logged for another strategy
    await waitFor(async () => (await logCandles(symbol)).length >= 60, { timeoutMs: 15_000, what: 'the 60-minute log' });
    const logBefore = await sys.store.listMarketEvents(symbol, 0, 100_000);

    const startedAt = Date.now();
    await start('slow-sim', yaml);
    const runner = await runningRunner('slow-sim');
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeLessThan(15_000);
    await waitFor(async () => (await sys.store.getStrategy('slow-sim'))?.status === 'running', { what: 'status running' });
    // the shared log was not rewritten: the same records, same seqs, at its start
    expect((await sys.store.listMarketEvents(symbol, 0, logBefore.length)).map((e) => [e.seq, e.sourceId])).toEqual(logBefore.map((e) => [e.seq, e.sourceId]));

    await sys.sm.close();
    sys.sm = null;
    const end = await quietLogEnd(symbol, 'slow-sim');
    expect(sys.trader.runners().get('slow-sim')).toBe(runner); // rebuilt once, before it was ready
    const expected = await backtestColumns('slow-sim', symbol, yaml, runner.tradingStartTime, runner.marketSeq);
    expect(expected.ready).toBe(true);
    expect(expected.warmup).toBeGreaterThanOrEqual(600 - expected.log);
    expect(runner.warmupCandles).toBe(expected.warmup);
    expect(runner.core.logic.columns()).toEqual(expected.columns);

    // the API's warm-up progress counts the history's candles too: ready, 600 of 600 bars
    const record = (await sys.store.getStrategy('slow-sim'))!;
    const progress = await warmupProgress(new CandleHistory({ store: sys.store, bus: sys.bus, now: Date.now }), record, await sys.store.loadState('slow-sim'), Date.now(), await sys.store.loadWarmupHistory('slow-sim'));
    expect(progress?.ready).toBe(true);
    expect(progress?.indicators.find((i) => i.id === `EMA_${SLOW}`)).toMatchObject({ barsReady: SLOW, barsNeeded: SLOW, ready: true });

    // the parity check replays the same inputs (history first) and agrees
    const parity = await runParityCheck(record, 'warm-1', 'on-demand', { store: sys.store, execution: undefined, indicatorTolerance: 0.0001, chunkSize: 1_000, now: Date.now, worker: 'test' });
    expect(parity.check.firstDivergence ?? null).toBeNull();
    expect(parity.check.verdict).toBe('pass');
    // so does the reconciliation's replay, and the history is part of what it read
    expect((await loadStrategyHistory(sys.store, 'slow-sim')).warmup).toHaveLength(expected.warmup);
    expect((await reconcileReport(sys.store, 'slow-sim', { from: 0 })).replay.identical).toBe(true);

    // restart without the snapshot: a rebuild from the stored history and the log, identical
    const columns = runner.core.logic.columns();
    await sys.trader.close();
    await fs.rm(path.join(sys.dir, 'data', 'strategies', 'slow-sim', 'snapshot.json'));
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir), bus: sys.bus, store: sys.store, logger });
    const rebuilt = await runningRunner('slow-sim');
    expect(rebuilt.marketSeq).toBe(end);
    expect(rebuilt.warmupCandles).toBe(expected.warmup);
    expect(rebuilt.core.logic.columns()).toEqual(columns);
  });

  it('on Binance (local sys.server): the history comes from REST klines, exactly the venue\'s candles before the log', async () => {
    demoYaml = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const symbol = uniqueSymbol('K');
    const yaml = slowYaml(symbol);
    sys.server = await FakeBinanceServer.start({ symbols: [symbol], seed: 11, startTime: Date.UTC(2024, 4, 1), tickMs: 10, marketMsPerTick: 1000, autoStart: false });
    for (let i = 0; i < 700; i++) sys.server.market.advance(60_000); // 700 minutes the exchange has, before anyone connects
    sys.server.resume();
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir, { snapshotIntervalMs: 60_000 }), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'binance', SYMBOLS: symbol, BINANCE_WS_URL: sys.server.wsUrl, BINANCE_REST_URL: sys.server.url, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '30' }), bus: sys.bus, logger });
    await start('base-bn', baseYaml(symbol));
    await waitFor(async () => (await logCandles(symbol)).length >= 30, { timeoutMs: 20_000, what: 'the 30-minute log' });

    await start('slow-bn', yaml);
    const runner = await runningRunner('slow-bn');
    const history = (await sys.store.loadWarmupHistory('slow-bn'))!;
    const klines = new Map(sys.server.market.closedKlines(symbol).map((k) => [k.openTime, k]));
    for (const c of history.candles) expect([c.openTime, c.close]).toEqual([c.openTime, klines.get(c.openTime)!.close]);
    await sys.sm.close();
    sys.sm = null;
    await quietLogEnd(symbol, 'slow-bn');
    expect(sys.trader.runners().get('slow-bn')).toBe(runner);
    const expected = await backtestColumns('slow-bn', symbol, yaml, runner.tradingStartTime, runner.marketSeq);
    expect(expected.warmup).toBeGreaterThan(0);
    expect(runner.warmupCandles).toBe(expected.warmup);
    expect(runner.core.logic.columns()).toEqual(expected.columns);
  });
});
