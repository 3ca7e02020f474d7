/**
 * A strategy's warm-up history over the bus (`strategy.warmup.history`): taken by the worker running
 * the strategy while it warms up and within the wait, then kept for every rebuild; dropped when late.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope, type CandleValues } from '@btc-research/contracts';
import { simulatedMinuteCandles, type Candle } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, createLogger, waitFor } from '@btc-research/platform';
import { startPaperTrader, type PaperTrader } from './service.js';
import { publishCandles } from './testing/candle-publishing.js';
import { recordingLogger } from './testing/recording-logger.js';
import { testConfig } from './testing/test-config.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const logger = createLogger('pt', { level: 'silent' });
/** a slow EMA of 59 one-minute candles: 60 minutes of warm-up */
const slowYaml = async (): Promise<string> =>
  (await fs.readFile(path.join(import.meta.dirname, '..', '..', '..', 'config', 'demo-ema-cross.yaml'), 'utf8')).replaceAll('"5m"', '"1m"').replace('length: 21', 'length: 59').replaceAll('EMA_21', 'EMA_59');

const values = (c: Candle): CandleValues => ({ openTime: c.openTime, closeTime: c.closeTime, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close), volume: String(c.volume) });

describe('warm-up history intake', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;
  // 60 older minutes for the history, then 20 the log holds
  const candles = simulatedMinuteCandles(80, 17);

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-warmup-'));
  });
  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  async function startSlow(waitMs: number, log = logger): Promise<void> {
    trader = await startPaperTrader({ config: testConfig(dir, { warmupWaitMs: waitMs, snapshotIntervalMs: 3_600_000 }), bus, store, logger: log });
    await publishCandles(bus, 'BTCUSDT', candles.slice(60));
    await waitFor(async () => (await store.lastMarketEvents('BTCUSDT', 1))[0]?.seq === 20, { what: 'the 20-minute log' });
    const yaml = await slowYaml();
    await bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStart, id: 'start-slow', source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'slow', configName: 'slow.yaml', configYaml: yaml } }), StreamRetention.commands);
    await waitFor(() => trader!.runners().get('slow')?.marketSeq === 20, { what: 'slow active at the log end' });
  }

  async function sendHistory(symbol = 'BTCUSDT'): Promise<void> {
    const payload = { strategyId: 'slow', symbol, venue: 'SIMULATED' as const, startedAt: 1, candles: candles.slice(0, 60).map(values) };
    await bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyWarmupHistory, id: `warmup-slow-${symbol}`, source: 'test', tsEvent: 2, tsInit: 2, payload }), StreamRetention.commands);
  }

  it('stores a history arriving while the strategy warms up and rebuilds it on history + log: ready, and so after a restart', async () => {
    await startSlow(30_000);
    expect(trader!.runners().get('slow')!.core.logic.isReady()).toBe(false);
    await sendHistory();
    const runner = await waitFor(() => {
      const r = trader!.runners().get('slow');
      return r?.core.logic.isReady() ? r : null;
    }, { what: 'slow ready on its history' });
    expect(runner.warmupCandles).toBe(60);
    expect(runner.marketSeq).toBe(20);
    expect((await store.loadWarmupHistory('slow'))?.candles).toHaveLength(60);
    await waitFor(async () => (await store.getStrategy('slow'))?.status === 'running', { what: 'status running' });
    const columns = runner.core.logic.columns();
    await trader!.close();
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger });
    const again = await waitFor(() => trader!.runners().get('slow'), { what: 'slow active after the restart' });
    expect(again.core.logic.columns()).toEqual(columns);
  });

  it('drops a history arriving after the wait, or for another symbol: the strategy warms up on live candles', async () => {
    const { logger: recording, lines } = recordingLogger();
    await startSlow(1, recording);
    const runner = trader!.runners().get('slow')!;
    await new Promise((r) => setTimeout(r, 50));
    await sendHistory('ETHUSDT');
    await sendHistory();
    await waitFor(() => lines.some((l) => l.msg.startsWith('warm-up history of another symbol')) && lines.some((l) => l.msg.startsWith('warm-up history arrived after the wait')), { what: 'both histories dropped' });
    expect(lines.filter((l) => l.level === 'warn' && l.msg.startsWith('no warm-up history made the strategy ready in time'))).toHaveLength(1);
    expect(trader!.runners().get('slow')).toBe(runner);
    expect(runner.core.logic.isReady()).toBe(false);
    expect(runner.warmupCandles).toBe(0);
    expect(await store.loadWarmupHistory('slow')).toBeNull();
  });
});
