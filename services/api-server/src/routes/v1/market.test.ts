import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedStatusResponse, IndicatorsResponse, MarketDataResponse, MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { VALID_YAML } from '../../test-support/fixtures.js';
import { waitFor } from '@btc-research/platform';
import { encodeRecordedInput } from '@btc-research/engine';
import { createHarness, feedStatus, flushRedisDb, publishFeed, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.market);
let h: Harness;

beforeAll(async () => {
  await flushRedisDb(REDIS_URL);
  h = await createHarness(REDIS_URL);
});
afterAll(async () => h.close());

describe('GET /api/v1/market/feed', () => {
  it('says unavailable before any feed status, then returns the latest status from the bus', async () => {
    const before = await h.app.inject({ url: '/api/v1/market/feed' });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ available: false, isSimulated: false, status: null, receivedAt: null });

    await publishFeed(h.bus, feedStatus({ state: 'connecting' }), 1_000);
    await publishFeed(h.bus, feedStatus({ state: 'live', lagMs: 5 }), 2_000);
    const body = await waitFor(async () => {
      const res = await h.app.inject({ url: '/api/v1/market/feed' });
      const parsed = FeedStatusResponse.parse(res.json());
      return parsed.status?.state === 'live' ? parsed : null;
    }, { what: 'the live feed status' });
    expect(body).toMatchObject({ available: true, isSimulated: true, receivedAt: 2_000, status: { source: 'simulated', requestedSource: 'auto', lagMs: 5 } });
  });
});

describe('GET /api/v1/market/data/:symbol', () => {
  beforeAll(async () => {
    const base = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
    for (let i = 0; i < 200; i++) {
      const openTime = base + i * 60_000;
      const price = 40_000 + i;
      await h.bus.publish(
        Streams.candles('BTCUSDT'),
        makeEnvelope({
          type: MessageType.candleClosed,
          id: `c-${i}`,
          source: 'stream-manager',
          tsEvent: openTime + 60_000,
          tsInit: openTime + 60_000,
          payload: {
            venue: 'SIMULATED',
            symbol: 'BTCUSDT',
            timeframe: '1m',
            openTime,
            closeTime: openTime + 60_000,
            open: `${price}`,
            high: `${price + 10}`,
            low: `${price - 10}`,
            close: `${price + 1}`,
            volume: '1.5',
            synthetic: false,
            origin: 'simulated',
          },
        }),
        StreamRetention.candles,
      );
    }
    const t = base + 200 * 60_000;
    await h.bus.publish(
      Streams.bookTicker('BTCUSDT'),
      makeEnvelope({
        type: MessageType.bookTicker,
        id: 'book-1',
        source: 'stream-manager',
        tsEvent: t,
        tsInit: t,
        payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', bidPrice: '40070.5', bidQty: '1', askPrice: '40071', askQty: '2', time: t },
      }),
      StreamRetention.bookTicker,
    );
  });

  it('returns last price, bid/ask and candles aggregated per timeframe', async () => {
    const res = await h.app.inject({ url: '/api/v1/market/data/BTCUSDT?timeframes=1m,5m,1h&limit=3' });
    expect(res.statusCode).toBe(200);
    const body = MarketDataResponse.parse(res.json());
    expect(body).toMatchObject({ symbol: 'BTCUSDT', venue: 'SIMULATED', lastPrice: '40200', bid: '40070.5', ask: '40071' });
    expect(body.candles['1m']).toHaveLength(3);
    expect(body.candles['5m']?.at(-1)).toMatchObject({ isComplete: true, volume: '7.5', open: '40195', close: '40200', high: '40209', low: '40185' });
    const hours = body.candles['1h'] ?? [];
    expect(hours).toHaveLength(3);
    expect(hours[0]).toMatchObject({ isComplete: true, volume: '90', open: '40060', close: '40120' });
    expect(hours[2]).toMatchObject({ isComplete: false, volume: '30' });
  });

  it('404s for a symbol without data and 400s for a malformed symbol or timeframe', async () => {
    expect((await h.app.inject({ url: '/api/v1/market/data/ETHUSDT' })).statusCode).toBe(404);
    const bad = await h.app.inject({ url: '/api/v1/market/data/btc-usdt' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const tf = await h.app.inject({ url: '/api/v1/market/data/BTCUSDT?timeframes=1m,7m' });
    expect(tf.statusCode).toBe(400);
    expect(tf.json().error.message).toContain('7m');
  });
});

describe('GET /api/v1/market/data/:symbol: candles beyond what the bus keeps', () => {
  it('aggregates the market log\'s older minutes with the newest ones on the bus, so the bus need not hold days of candles', async () => {
    const symbol = `LOG${Date.now().toString(36).toUpperCase()}USDT`;
    const base = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
    const candle = (i: number) => ({ openTime: base + i * 60_000, closeTime: base + (i + 1) * 60_000, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: 1 });
    // three hours in the paper-trader's log; only the last two minutes on the bus
    await h.store.appendMarketEvents(symbol, Array.from({ length: 180 }, (_, i) => ({ ...encodeRecordedInput({ kind: 'candle', candle: candle(i) }), sourceId: `candle:${candle(i).openTime}` })));
    for (const i of [180, 181]) {
      const c = candle(i);
      await h.bus.publish(
        Streams.candles(symbol),
        makeEnvelope({
          type: MessageType.candleClosed,
          id: `log-${i}`,
          source: 'stream-manager',
          tsEvent: c.closeTime,
          tsInit: c.closeTime,
          payload: { venue: 'SIMULATED', symbol, timeframe: '1m', openTime: c.openTime, closeTime: c.closeTime, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close), volume: '1', synthetic: false, origin: 'simulated' },
        }),
        StreamRetention.candles,
      );
    }
    const body = MarketDataResponse.parse((await h.app.inject({ url: `/api/v1/market/data/${symbol}?timeframes=1m,1h&limit=4` })).json());
    expect(body.venue).toBe('SIMULATED');
    expect(body.lastPrice).toBe('281.5');
    expect(body.candles['1h']).toHaveLength(4);
    expect(body.candles['1h']?.[0]).toMatchObject({ openTime: base, open: '100', close: '159.5', volume: '60', isComplete: true });
    expect(body.candles['1h']?.[3]).toMatchObject({ openTime: base + 3 * 3_600_000, volume: '2', isComplete: false });
    expect(body.candles['1m']?.map((c) => c.openTime)).toEqual([178, 179, 180, 181].map((i) => base + i * 60_000));
  });
});

describe('GET /api/v1/market/data/:symbol: provisional candles and corrections', () => {
  it('shows a provisional minute as provisional, then the corrected values marked corrected', async () => {
    const symbol = 'PROVUSDT';
    const t0 = Date.UTC(2025, 5, 2, 11, 40);
    const candle = (i: number, close: string, extra: Record<string, unknown> = {}) =>
      makeEnvelope({
        type: MessageType.candleClosed,
        id: `prov-${i}`,
        source: 'stream-manager',
        tsEvent: t0 + (i + 1) * 60_000,
        tsInit: t0 + (i + 1) * 60_000,
        payload: { venue: 'BINANCE', symbol, timeframe: '1m', openTime: t0 + i * 60_000, closeTime: t0 + (i + 1) * 60_000, open: '100', high: '110', low: '90', close, volume: '3', origin: 'live', ...extra },
      });
    await h.bus.publish(Streams.candles(symbol), candle(0, '101'), StreamRetention.candles);
    await h.bus.publish(Streams.candles(symbol), candle(1, '100', { provisional: true, volume: '0' }), StreamRetention.candles);
    const url = `/api/v1/market/data/${symbol}?timeframes=1m,5m&limit=5`;
    const before = await h.app.inject({ url });
    expect(before.statusCode).toBe(200);
    const b = MarketDataResponse.parse(before.json());
    expect(b.candles['1m']!.map((c) => c.provisional ?? false)).toEqual([false, true]);
    expect(b.candles['5m']![0]!.provisional).toBe(true);
    await h.bus.publish(
      Streams.candles(symbol),
      makeEnvelope({
        type: MessageType.candleCorrected,
        id: 'prov-1-corrected',
        source: 'stream-manager',
        tsEvent: t0 + 2 * 60_000,
        tsInit: t0 + 3 * 60_000,
        payload: { venue: 'BINANCE', symbol, timeframe: '1m', openTime: t0 + 60_000, closeTime: t0 + 2 * 60_000, open: '100', high: '110', low: '90', close: '105.5', volume: '28.6', origin: 'live', changed: true, confirmedBy: 'rest' },
      }),
      StreamRetention.candles,
    );
    const after = await waitFor(async () => {
      const res = MarketDataResponse.parse((await h.app.inject({ url })).json());
      return res.candles['1m']![1]?.corrected ? res : null;
    }, { what: 'the corrected candle' });
    expect(after.candles['1m']![1]).toMatchObject({ close: '105.5', volume: '28.6', corrected: true });
    expect(after.candles['1m']![1]!.provisional).toBeUndefined();
    expect(after.candles['5m']![0]).toMatchObject({ close: '105.5', volume: '31.6', corrected: true });
  });
});

describe('GET /api/v1/market/depth/:symbol', () => {
  it('returns the latest book levels, cut to limit, and 404s before any', async () => {
    expect((await h.app.inject({ url: '/api/v1/market/depth/BTCUSDT' })).statusCode).toBe(404);
    const t = Date.now();
    await h.bus.publish(
      Streams.bookDepth('BTCUSDT'),
      makeEnvelope({
        type: MessageType.bookDepth,
        id: 'depth-1',
        source: 'stream-manager',
        tsEvent: t,
        tsInit: t,
        payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', lastUpdateId: 42, time: t, bids: [['40000', '1'], ['39999', '2'], ['39998', '3']], asks: [['40001', '1'], ['40002', '2']] },
      }),
      StreamRetention.bookDepth,
    );
    const res = await h.app.inject({ url: '/api/v1/market/depth/BTCUSDT?limit=2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ symbol: 'BTCUSDT', venue: 'SIMULATED', lastUpdateId: 42, time: t, bids: [['40000', '1'], ['39999', '2']], asks: [['40001', '1'], ['40002', '2']], current: true });
    expect((await h.app.inject({ url: '/api/v1/market/depth/BTCUSDT?limit=0' })).statusCode).toBe(400);
  });

  it('never presents a book the feed reports unsynced (an outage) as current', async () => {
    await publishFeed(h.bus, feedStatus({ state: 'degraded', booksSynced: { BTCUSDT: false } }), Date.now());
    const body = await waitFor(async () => {
      const res = await h.app.inject({ url: '/api/v1/market/depth/BTCUSDT' });
      return res.statusCode === 200 && res.json().current === false ? res.json() : null;
    }, { what: 'the book marked not current' });
    expect(body).toMatchObject({ symbol: 'BTCUSDT', lastUpdateId: 42, current: false });
    await publishFeed(h.bus, feedStatus({ state: 'live', booksSynced: { BTCUSDT: true } }), Date.now());
    await waitFor(async () => (await h.app.inject({ url: '/api/v1/market/depth/BTCUSDT' })).json().current === true, { what: 'current again once synced' });
  });
});

describe('GET /api/v1/strategies/:id/indicators', () => {
  it("computes the strategy's indicators over the candles on the bus with the engine, each output with its kind", async () => {
    await h.store.upsertStrategy(strategyRecord('ind-one', { configYaml: VALID_YAML, configName: 'test.yaml' }));
    const res = await h.app.inject({ url: '/api/v1/strategies/ind-one/indicators?limit=10' });
    expect(res.statusCode).toBe(200);
    const body = IndicatorsResponse.parse(res.json());
    expect(body.candlesUsed).toBe(200);
    expect(body.series.map((s) => [s.name, s.kind])).toEqual([
      ['RSI_14', 'bounded'],
      ['RSI_14_overbought', 'boolean'],
      ['RSI_14_oversold', 'boolean'],
    ]);
    const rsi = body.series[0];
    expect(rsi).toMatchObject({ name: 'RSI_14', indicatorId: 'RSI_14', type: 'RSI', timeframe: '5m', overlay: false });
    // closes only rise: overbought throughout, drawn as 1
    expect(body.series[1]?.points.every((p) => p.value === 1)).toBe(true);
    expect(rsi?.points).toHaveLength(10);
    // closes only rise, so RSI is 100; points are at 5m candle close times
    for (const p of rsi?.points ?? []) {
      expect(p.value).toBeCloseTo(100, 9);
      expect(p.time % 300_000).toBe(0);
    }
    expect((await h.app.inject({ url: '/api/v1/strategies/nobody/indicators' })).statusCode).toBe(404);
  });
});
