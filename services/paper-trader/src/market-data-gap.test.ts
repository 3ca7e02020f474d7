import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { simulatedMinuteCandles, type Candle } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, RedisBus, createLogger, waitFor, type MessageBus } from '@btc-research/platform';
import { Redis } from 'ioredis';
import { startPaperTrader, type PaperTrader } from './service.js';
import { testConfig } from './testing/test-config.js';
import { candleEnvelope } from './testing/candle-publishing.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', 'config');
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function publishCandles(bus: MessageBus, symbol: string, candles: readonly Candle[]): Promise<void> {
  const writer = bus.openWriter();
  for (const c of candles) await writer.append(Streams.candles(symbol), candleEnvelope(symbol, c), StreamRetention.candles);
  await writer.close();
}

/** The demo EMA strategy on a symbol of its own (streams unique to the test run). */
async function writeStrategy(dir: string, id: string, base: string): Promise<void> {
  const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
  await fs.writeFile(path.join(dir, 'config', `${id}.yaml`), ema.replace('symbol: "BTC/USDT"', `symbol: "${base}/USDT"`));
}

describe('market data the strategies can trust (in-process bus, JSON files)', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-gap-'));
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  it('stops a strategy with MARKET_DATA_GAP when its candles jump over minutes nobody filled or confirmed, and says where', async () => {
    await writeStrategy(dir, 'holed', 'BTC');
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(400, 21);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 300));
    await waitFor(async () => (await store.loadState('holed'))?.lastCandleCloseTime === candles[299]!.closeTime, { what: 'strategy at candle 300' });
    await publishCandles(bus, 'BTCUSDT', candles.slice(305)); // 5 minutes lost on the way
    await waitFor(async () => (await store.getStrategy('holed'))?.status === 'error', { what: 'strategy stopped on the hole' });
    const error = (await store.getStrategy('holed'))?.error ?? '';
    expect(error).toContain('5 minutes missing');
    expect(error).toContain(new Date(candles[300]!.openTime).toISOString());
    expect((await store.loadState('holed'))?.lastCandleCloseTime).toBe(candles[299]!.closeTime); // nothing traded across it
  });

  it('crosses a gap the source confirmed at the venue, and never lets a strategy decide on a provisional candle: its correction goes through', async () => {
    await writeStrategy(dir, 'halted', 'BTC');
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(400, 22);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 300));
    const writer = bus.openWriter();
    const stream = Streams.candles('BTCUSDT');
    // an exchange halt of 10 minutes, confirmed by the source
    const after = candles[310]!;
    await writer.append(stream, candleEnvelope('BTCUSDT', after, { venueGapBefore: { fromOpenTime: candles[300]!.openTime, minutes: 10, confirmedBy: 'rest' } }), StreamRetention.candles);
    await waitFor(async () => (await store.loadState('halted'))?.lastCandleCloseTime === after.closeTime, { what: 'strategy across the venue gap' });
    // a provisional candle: not seen by the strategy until its correction arrives
    const next = candles[311]!;
    await writer.append(stream, candleEnvelope('BTCUSDT', next, { provisional: true, close: '1' }), StreamRetention.candles);
    await new Promise((r) => setTimeout(r, 300));
    expect((await store.loadState('halted'))?.lastCandleCloseTime).toBe(after.closeTime);
    const p = candleEnvelope('BTCUSDT', next).payload as MarketCandleClosedV1;
    const { provisional: _p, synthetic: _s, ...confirmed } = p;
    void _p;
    void _s;
    await writer.append(stream, makeEnvelope({ type: MessageType.candleCorrected, id: `corr-${next.openTime}`, source: 'test', tsEvent: next.closeTime, tsInit: next.closeTime, payload: { ...confirmed, origin: 'replay', changed: true, confirmedBy: 'kline' } }), StreamRetention.candles);
    await writer.close();
    await waitFor(async () => (await store.loadState('halted'))?.lastCandleCloseTime === next.closeTime, { what: 'the corrected candle processed' });
    const logged = await store.listMarketEvents('BTCUSDT', 0, 1_000);
    const last = logged.filter((e) => e.kind === 'candle').at(-1)!;
    expect((last.data as { close: string }).close).toBe(String(next.close)); // the confirmed values, not the provisional ones
    expect((await store.getStrategy('halted'))?.status).toBe('running');
  });
});

describe('a paper trader down while more than MAXLEN candles pass (Redis)', () => {
  const base = `G${randomBytes(3).toString('hex').toUpperCase()}`;
  const symbol = `${base}USDT`;
  let dir: string;
  let bus: RedisBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-down-', new RedisBus({ redisUrl: REDIS_URL, logger: createLogger('bus', { level: 'silent' }), blockMs: 50 })));
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
    const redis = new Redis(REDIS_URL);
    await redis.del(Streams.candles(symbol), Streams.trades(symbol), Streams.bookTicker(symbol), Streams.bookDepth(symbol));
    redis.disconnect();
  });

  it('loses nothing: after the restart the strategy has every candle, as one that never went down', { timeout: 120_000 }, async () => {
    await writeStrategy(dir, 'down', base);
    const config = testConfig(dir, { consumerName: `pt-down-${base}` });
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const total = StreamRetention.candles + 2_000;
    const candles = simulatedMinuteCandles(total, 23);
    await publishCandles(bus, symbol, candles.slice(0, 200));
    await waitFor(async () => (await store.loadState('down'))?.lastCandleCloseTime === candles[199]!.closeTime, { what: 'strategy at candle 200' });
    await trader.close();
    trader = null;
    await publishCandles(bus, symbol, candles.slice(200)); // more than StreamRetention.candles while it is down
    expect(await bus.streamLength(Streams.candles(symbol))).toBeGreaterThan(StreamRetention.candles);
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await waitFor(async () => (await store.loadState('down'))?.lastCandleCloseTime === candles[total - 1]!.closeTime, { what: 'strategy caught up', timeoutMs: 100_000, intervalMs: 200 });
    expect((await store.getStrategy('down'))?.status).toBe('running');
    const logged = (await store.listMarketEvents(symbol, 0, total + 10)).filter((e) => e.kind === 'candle');
    expect(logged).toHaveLength(total);
  });
});
