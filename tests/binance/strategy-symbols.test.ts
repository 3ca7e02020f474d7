import fs from 'node:fs/promises';
import path from 'node:path';
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { MessageType, StreamRetention, Streams, makeEnvelope, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { createLogger, waitFor } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { startPaperTrader } from '../../services/paper-trader/src/service.js';
import { testConfig } from '../../services/paper-trader/src/testing/test-config.js';
import { readStreamManagerConfig } from '../../services/stream-manager/src/config.js';
import { startStreamManager } from '../../services/stream-manager/src/service.js';
import { venueSymbol } from '../../services/stream-manager/src/strategy-demand.js';
import { LiveSystem } from './live-system.js';
import { uniqueSymbol } from './support.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', 'config');
const logger = createLogger('test', { level: 'silent' });

describe('symbols follow the strategies', () => {
  const sys = LiveSystem.perTest('sm-follow-');

  /** the demo EMA strategy on `pair` (e.g. "ABC/USDC"), started through the commands stream as the API does */
  async function startStrategy(strategyId: string, pair: string): Promise<void> {
    const yaml = (await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8')).replace('symbol: "BTC/USDT"', `symbol: "${pair}"`);
    await sys.bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStart, id: `start-${strategyId}`, source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId, configName: `${strategyId}.yaml`, configYaml: yaml } }), StreamRetention.commands);
  }
  /** the stop command the API sends */
  async function stopStrategy(strategyId: string): Promise<void> {
    await sys.bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStop, id: `stop-${strategyId}`, source: 'test', tsEvent: 2, tsInit: 2, payload: { strategyId, reason: 'requested' } }), StreamRetention.commands);
  }
  /** an EMA cross whose slow EMA needs `slowLength` candles of `tf` before it can trade */
  async function startLongWarmup(strategyId: string, pair: string, tf: string, slowLength: number): Promise<void> {
    const yaml = (await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8'))
      .replace('symbol: "BTC/USDT"', `symbol: "${pair}"`)
      .replaceAll('"5m"', `"${tf}"`)
      .replace('length: 21', `length: ${slowLength}`)
      .replaceAll('EMA_21', `EMA_${slowLength}`);
    await sys.bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStart, id: `start-${strategyId}`, source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId, configName: `${strategyId}.yaml`, configYaml: yaml } }), StreamRetention.commands);
  }
  const candles = async (symbol: string) => (await sys.bus.read(Streams.candles(symbol), '0', 10_000)).map((e) => e.envelope.payload as MarketCandleClosedV1);

  it('maps a config pair to the venue symbol', () => {
    expect(venueSymbol('BTC/USDC')).toBe('BTCUSDC');
    expect(venueSymbol('eth-usdt')).toBe('ETHUSDT');
    expect(venueSymbol('BTCUSDT')).toBe('BTCUSDT');
  });

  it('on Binance: subscribes to a started strategy’s symbol (BASE/QUOTE → BASEQUOTE) and fails a strategy on a symbol the venue does not list, with a clear error in its status', async () => {
    const base = uniqueSymbol('A');
    const extra = uniqueSymbol('B');
    sys.server = await FakeBinanceServer.start({ symbols: [base, extra], seed: 9, startTime: Date.UTC(2024, 3, 1), tickMs: 10, marketMsPerTick: 1000 });
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'binance', SYMBOLS: base, BINANCE_WS_URL: sys.server.wsUrl, BINANCE_REST_URL: sys.server.url, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '0' }), bus: sys.bus, logger });
    await startStrategy('on-extra', `${extra.slice(0, -4)}/USDT`);
    await waitFor(() => sys.sm!.sources[0]?.status().symbols.includes(extra) && sys.sm!.sources[0]?.status().state === 'live', { timeoutMs: 15_000, what: `the source serves ${extra}` });
    const got = await waitFor(async () => {
      const c = await candles(extra);
      return c.length >= 2 ? c : null;
    }, { timeoutMs: 20_000, what: `candles of ${extra}` });
    const klines = new Map(sys.server.market.closedKlines(extra).map((k) => [k.openTime, k]));
    for (const c of got) expect(Number(c.close)).toBe(Number(klines.get(c.openTime)!.close));
    expect((await sys.store.getStrategy('on-extra'))?.status).not.toBe('error');
    // the base symbol keeps flowing after the resubscription
    const before = (await candles(base)).length;
    await waitFor(async () => (await candles(base)).length > before, { timeoutMs: 15_000, what: `${base} still served` });

    const unlisted = uniqueSymbol('X');
    await startStrategy('on-unlisted', `${unlisted.slice(0, -4)}/USDT`);
    const failed = await waitFor(async () => {
      const r = await sys.store.getStrategy('on-unlisted');
      return r?.status === 'error' ? r : null;
    }, { timeoutMs: 15_000, what: 'the strategy on an unlisted symbol in error' });
    expect(failed.error).toBe(`market data: ${unlisted} is not listed on BINANCE (exchangeInfo); the strategy cannot run there`);
    expect(sys.trader.runners().has('on-unlisted')).toBe(false);
    expect(sys.sm.sources[0]?.status().symbols).not.toContain(unlisted);
  });

  it('on the simulator: a started strategy’s symbol gets its own seeded market, with history for its warm-up', async () => {
    const symbol = uniqueSymbol('S');
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'simulated', SYMBOLS: 'BTCUSDT', DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '30' }), bus: sys.bus, logger });
    await startStrategy('sim-extra', `${symbol.slice(0, -4)}/USDT`);
    const got = await waitFor(async () => {
      const c = await candles(symbol);
      return c.length >= 30 ? c : null;
    }, { timeoutMs: 15_000, what: `simulated history of ${symbol}` });
    expect(got.every((c) => c.origin === 'simulated' && c.venue === 'SIMULATED')).toBe(true);
    await waitFor(() => sys.sm!.sources.length === 2, { what: 'a second simulated source' });
    expect(sys.sm.sources.map((s) => s.status().symbols[0])).toEqual(['BTCUSDT', symbol]);
    // its own market, not a copy of BTCUSDT's
    const btc = await candles('BTCUSDT');
    expect(got.map((c) => c.close)).not.toEqual(btc.slice(0, got.length).map((c) => c.close));
  });

  it('on the simulator: drops a symbol when the last running strategy needing it stops, and keeps SYMBOLS whatever the strategies do', async () => {
    const shared = uniqueSymbol('D');
    const other = uniqueSymbol('E');
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'simulated', SYMBOLS: 'BTCUSDT', DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '5' }), bus: sys.bus, logger });
    const served = () => sys.sm!.sources.map((s) => s.status().symbols[0]);
    await startStrategy('on-btc', 'BTC/USDT');
    await startStrategy('first', `${shared.slice(0, -4)}/USDT`);
    await startStrategy('second', `${shared.slice(0, -4)}/USDT`);
    await waitFor(() => served().includes(shared), { what: `${shared} served` });
    // one of its two strategies stops: still needed; then a third symbol is added after that stop was read
    await stopStrategy('first');
    await startStrategy('third', `${other.slice(0, -4)}/USDT`);
    await waitFor(() => served().includes(other), { what: `${other} served` });
    expect(served()).toEqual(['BTCUSDT', shared, other]);
    // the last strategy on it stops: dropped; the strategy on a SYMBOLS symbol stops: BTCUSDT stays
    await stopStrategy('second');
    await stopStrategy('on-btc');
    await waitFor(() => !served().includes(shared), { what: `${shared} dropped` });
    expect(served()).toEqual(['BTCUSDT', other]);
    const trades = async (symbol: string) => (await sys.bus.read(Streams.trades(symbol), '0', 100_000)).length;
    const before = await trades(other);
    await waitFor(async () => (await trades(other)) > before, { what: `${other} still served` });
  });

  it('on Binance: unsubscribes a symbol when the last running strategy needing it stops, the base symbol keeps flowing', async () => {
    const base = uniqueSymbol('A');
    const extra = uniqueSymbol('U');
    sys.server = await FakeBinanceServer.start({ symbols: [base, extra], seed: 12, startTime: Date.UTC(2024, 5, 1), tickMs: 10, marketMsPerTick: 1000 });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'binance', SYMBOLS: base, BINANCE_WS_URL: sys.server.wsUrl, BINANCE_REST_URL: sys.server.url, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '0' }), bus: sys.bus, logger });
    await startStrategy('on-extra', `${extra.slice(0, -4)}/USDT`);
    await waitFor(() => sys.sm!.sources[0]?.status().symbols.includes(extra) && sys.sm!.sources[0]?.status().state === 'live', { timeoutMs: 15_000, what: `the source serves ${extra}` });
    await stopStrategy('on-extra');
    await waitFor(() => sys.sm!.sources[0]?.status().symbols.includes(extra) === false && sys.sm!.sources[0]?.status().state === 'live', { timeoutMs: 15_000, what: `${extra} dropped` });
    expect(sys.sm.sources[0]!.status().symbols).toEqual([base]);
    const before = (await candles(base)).length;
    await waitFor(async () => (await candles(base)).length > before, { timeoutMs: 15_000, what: `${base} still served` });
    // nothing of the dropped symbol arrives any more
    const extraCandles = (await candles(extra)).length;
    const extraTrades = (await sys.bus.read(Streams.trades(extra), '0', 100_000)).length;
    const after = (await candles(base)).length;
    await waitFor(async () => (await candles(base)).length > after + 1, { timeoutMs: 15_000, what: `two more ${base} candles` });
    expect((await candles(extra)).length).toBe(extraCandles);
    expect((await sys.bus.read(Streams.trades(extra), '0', 100_000)).length).toBe(extraTrades);
  });

  it('warm-up from history on the simulator: a strategy needing 6,000 minutes trades within seconds', async () => {
    const symbol = uniqueSymbol('W');
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'simulated', SYMBOLS: 'BTCUSDT', DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '10' }), bus: sys.bus, logger });
    const t0 = Date.now();
    await startLongWarmup('slow-ema', `${symbol.slice(0, -4)}/USDT`, '1h', 100); // 100 hourly candles = 6,000 minutes
    await waitFor(async () => (await sys.store.getStrategy('slow-ema'))?.status === 'running', { timeoutMs: 25_000, what: 'the 6,000-minute strategy running' });
    expect(Date.now() - t0).toBeLessThan(25_000);
    // the history reached the paper-trader's market log (the in-process sys.bus keeps only a day of what was read)
    expect((await sys.store.listMarketEvents(symbol, 0, 10_000)).filter((e) => e.kind === 'candle').length).toBeGreaterThanOrEqual(6_000);
    // progress was reported in the feed status while the history loaded
    const progress = (await sys.bus.read(Streams.feedStatus(), '0', 10_000)).map((e) => (e.envelope.payload as { symbols: string[]; message: string }))
      .filter((f) => f.symbols.includes(symbol) && /generating history: \d+ of \d+ minutes/.test(f.message));
    expect(progress.length).toBeGreaterThanOrEqual(10);
  });

  it('warm-up from history on Binance: a new symbol is backfilled from REST klines covering the strategy’s warm-up, equal to the exchange’s', async () => {
    const base = uniqueSymbol('A');
    const extra = uniqueSymbol('H');
    sys.server = await FakeBinanceServer.start({ symbols: [base, extra], seed: 10, startTime: Date.UTC(2024, 4, 1), tickMs: 10, marketMsPerTick: 1000, autoStart: false });
    for (let i = 0; i < 400; i++) sys.server.market.advance(60_000); // 400 minutes the exchange has, before anyone connects
    sys.server.resume();
    sys.trader = await startPaperTrader({ config: testConfig(sys.dir), bus: sys.bus, store: sys.store, logger });
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'binance', SYMBOLS: base, BINANCE_WS_URL: sys.server.wsUrl, BINANCE_REST_URL: sys.server.url, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '0' }), bus: sys.bus, logger });
    await startLongWarmup('warm-5m', `${extra.slice(0, -4)}/USDT`, '5m', 60); // 300 minutes
    await waitFor(async () => (await sys.store.getStrategy('warm-5m'))?.status === 'running', { timeoutMs: 25_000, what: 'the strategy running after its REST warm-up' });
    const got = await candles(extra);
    expect(got.filter((c) => c.origin === 'backfill').length).toBeGreaterThanOrEqual(300);
    const klines = new Map(sys.server.market.closedKlines(extra).map((k) => [k.openTime, k]));
    for (const c of got) expect([c.open, c.close].map(Number)).toEqual([klines.get(c.openTime)!.open, klines.get(c.openTime)!.close].map(Number));
  });

  it('serves the symbols of the strategy files in the config directory (started by the paper-trader on its own) from the start', async () => {
    const symbol = uniqueSymbol('C');
    const cfg = path.join(sys.dir, 'strategies');
    await fs.mkdir(cfg);
    const yaml = (await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8')).replace('symbol: "BTC/USDT"', `symbol: "${symbol.slice(0, -4)}/USDT"`);
    await fs.writeFile(path.join(cfg, 'file-strategy.yaml'), yaml);
    await fs.writeFile(path.join(cfg, 'broken.yaml'), 'not: [a strategy');
    sys.sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'simulated', SYMBOLS: 'BTCUSDT', CONFIG_DIR: cfg, DATA_DIR: path.join(sys.dir, 'sm'), SIM_HISTORY_MINUTES: '5' }), bus: sys.bus, logger });
    expect(sys.sm.sources.map((s) => s.status().symbols[0])).toEqual(['BTCUSDT', symbol]);
    expect((await candles(symbol)).length).toBeGreaterThanOrEqual(5);
  });
});
