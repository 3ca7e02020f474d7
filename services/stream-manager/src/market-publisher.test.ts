import { Streams } from '@btc-research/contracts';
import { InProcessBus, createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { MarketPublisher } from './market-publisher.js';

const logger = createLogger('publisher-test', { level: 'silent' });
const T0 = Date.UTC(2024, 0, 1);
const candle = (i: number, price = 100 + i) => ({ openTime: T0 + i * 60_000, closeTime: T0 + (i + 1) * 60_000, open: price, high: price + 1, low: price - 1, close: price, volume: 1 });

describe('MarketPublisher', () => {
  it('refuses a minute at or before the last one published (also one already on the bus before a restart)', async () => {
    const bus = new InProcessBus({ logger });
    const a = new MarketPublisher(bus, 'test', () => 0);
    expect(await a.candle('BINANCE', 'BTCUSDT', candle(0), 'live')).toBe(true);
    expect(await a.candle('BINANCE', 'BTCUSDT', candle(1), 'live')).toBe(true);
    expect(await a.candle('BINANCE', 'BTCUSDT', candle(1), 'backfill')).toBe(false);
    expect(await a.candle('BINANCE', 'BTCUSDT', candle(0), 'live')).toBe(false);
    const b = new MarketPublisher(bus, 'test', () => 0);
    expect(await b.seedFromBus('BTCUSDT')).toEqual({ openTime: T0 + 60_000, venue: 'BINANCE' });
    expect(await b.candle('BINANCE', 'BTCUSDT', candle(1), 'live')).toBe(false);
    expect(await b.candle('BINANCE', 'BTCUSDT', candle(2), 'live')).toBe(true);
    expect((await bus.read(Streams.candles('BTCUSDT'), '0', 10)).map((e) => e.envelope.id)).toEqual([0, 1, 2].map((i) => `BTCUSDT-1m@${T0 + i * 60_000}`));
    expect(a.counters.duplicateCandlesDropped + b.counters.duplicateCandlesDropped).toBe(3);
    await bus.close();
  });
});
