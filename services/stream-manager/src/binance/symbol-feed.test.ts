import { Streams, type MarketCandleClosedV1, type MarketTradeV1 } from '@btc-research/contracts';
import type { KlineEvent, RestKline, TradeEvent } from '@btc-research/binance';
import { InProcessBus, createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { MarketPublisher } from '../market-publisher.js';
import { SymbolFeed, type MarketRestProvider } from './symbol-feed.js';

const logger = createLogger('symbol-feed-test', { level: 'silent' });
const T0 = Date.UTC(2024, 0, 1);
const trade = (id: number, time: number, price = 100): TradeEvent => ({ kind: 'trade', symbol: 'BTCUSDT', tradeId: id, aggregated: false, price: String(price), qty: '1', time, eventTime: time, isBuyerMaker: false });
const kline = (openTime: number, close: string, eventTime: number): KlineEvent => ({ kind: 'kline', symbol: 'BTCUSDT', eventTime, interval: '1m', openTime, closeTime: openTime + 60_000, open: '1', high: '9', low: '1', close, volume: '5', trades: 3, closed: true });

function setup(rest: MarketRestProvider | null = null) {
  const bus = new InProcessBus({ logger });
  const publisher = new MarketPublisher(bus, 'test', () => 0);
  const feed = new SymbolFeed({ symbol: 'BTCUSDT', venue: 'BINANCE', publisher, logger, rest, graceMs: 1_000 });
  const candles = async () => (await bus.read(Streams.candles('BTCUSDT'), '0', 1000)).map((e) => e.envelope.payload as MarketCandleClosedV1);
  const trades = async () => (await bus.read(Streams.trades('BTCUSDT'), '0', 1000)).map((e) => Number((e.envelope.payload as MarketTradeV1).tradeId));
  return { bus, feed, candles, trades };
}

describe('SymbolFeed', () => {
  it('during a rotation overlap, a trade the joining connection delivers early waits for the ones before it', async () => {
    const { feed, trades, bus } = setup();
    feed.onTrade(trade(1, T0 + 1));
    feed.onTrade(trade(3, T0 + 3), false); // joining connection, ahead of the old one
    feed.onTrade(trade(4, T0 + 4), false);
    feed.onTrade(trade(2, T0 + 2)); // the old connection catches up
    feed.onTrade(trade(3, T0 + 3)); // and repeats what the new one had
    feed.onTrade(trade(6, T0 + 6), false);
    feed.connectionPromoted();
    await feed.idle();
    expect(await trades()).toEqual([1, 2, 3, 4, 6]);
    expect(feed.counters).toMatchObject({ duplicateTrades: 1, tradeIdGaps: 1 });
    await bus.close();
  });

  it('publishes the closed kline over the trade-built candle, and fetches from REST every minute no stream covered before a later one', async () => {
    const calls: Array<[number, number]> = [];
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        calls.push([start, end]);
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += 60_000) out.push({ openTime: t, closeTime: t + 60_000, open: '7', high: '7', low: '7', close: '7', volume: '0', quoteVolume: '0', trades: 0, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
        return out;
      },
    };
    const { feed, candles, bus } = setup(rest);
    const M = 60_000;
    feed.onTrade(trade(1, T0 + 10)); // minute 0 is partial (first trade)
    feed.onTrade(trade(2, T0 + M + 5, 101)); // minute 1 covered by trades
    feed.onTrade(trade(3, T0 + 2 * M + 5, 102));
    feed.onKline(kline(T0 + M, '555', T0 + 2 * M + 10)); // the exchange's candle for minute 1 wins
    feed.onTrade(trade(10, T0 + 4 * M + 5, 103)); // ids 4..9 missed: minutes 2 and 3 are not trustworthy
    feed.onTrade(trade(11, T0 + 5 * M + 5, 104));
    feed.onTrade(trade(12, T0 + 6 * M + 5, 105)); // closes minute 5 (covered)
    await feed.advanceClock(T0 + 6 * M + 2_000);
    const c = await candles();
    expect(c.map((x) => (x.openTime - T0) / M)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(c.map((x) => x.origin)).toEqual(['backfill', 'live', 'backfill', 'backfill', 'backfill', 'live']);
    expect(c[1]!.close).toBe('555');
    expect(c[5]!.close).toBe('104');
    expect(calls).toEqual([[T0, T0 + M - 1], [T0 + 2 * M, T0 + 5 * M - 1]]);
    await bus.close();
  });

  it('never invents a candle: minutes whose trade and kline frames are missing while other streams move the clock come from REST, equal to the exchange', async () => {
    const M = 60_000;
    // the exchange's own candles (volume included) for every minute
    const exchange = (t: number): RestKline => ({ openTime: t, closeTime: t + M, open: '100', high: String(110 + (t - T0) / M), low: '95', close: String(100 + (t - T0) / M), volume: String(20 + (t - T0) / M), quoteVolume: '0', trades: 9, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) out.push(exchange(t));
        return out;
      },
    };
    const { feed, candles, bus } = setup(rest);
    feed.onTrade(trade(1, T0 + 10));
    feed.onTrade(trade(2, T0 + M + 5, 101));
    feed.onKline({ ...kline(T0 + M, '101', T0 + 2 * M + 1), high: '101', low: '101', open: '101', volume: '1' });
    feed.onTrade(trade(3, T0 + 2 * M + 5, 102));
    // minutes 2..6: no trade or kline frame arrives, yet book updates keep the market clock moving
    for (let t = 3 * M; t <= 7 * M + 15_000; t += 15_000) await feed.advanceClock(T0 + t);
    const c = await candles();
    expect(c.map((x) => (x.openTime - T0) / M)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(c.some((x) => x.synthetic || x.volume === '0')).toBe(false);
    for (const x of c.filter((x) => x.origin === 'backfill')) {
      const e = exchange(x.openTime);
      expect([x.open, x.high, x.low, x.close, x.volume]).toEqual([e.open, e.high, e.low, e.close, e.volume]);
    }
    expect(c.filter((x) => x.origin === 'live').map((x) => (x.openTime - T0) / M)).toEqual([1]);
    await bus.close();
  });

  it('marks the candle after minutes REST has no candles for (an exchange halt) with venueGapBefore, confirmed by rest', async () => {
    const M = 60_000;
    const halted = new Set([2, 3, 4].map((i) => T0 + i * M));
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) if (!halted.has(t)) out.push({ openTime: t, closeTime: t + M, open: '7', high: '8', low: '6', close: '7', volume: '3', quoteVolume: '0', trades: 5, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
        return out;
      },
    };
    const { feed, candles, bus } = setup(rest);
    feed.onTrade(trade(1, T0 + 10));
    for (let t = M; t <= 7 * M + 15_000; t += 15_000) await feed.advanceClock(T0 + t);
    const c = await candles();
    expect(c.map((x) => (x.openTime - T0) / M)).toEqual([0, 1, 5, 6]);
    expect(c.map((x) => x.venueGapBefore ?? null)).toEqual([null, null, { fromOpenTime: T0 + 2 * M, minutes: 3, confirmedBy: 'rest' }, null]);
    await bus.close();
  });
});
