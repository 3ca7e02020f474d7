import { MessageType, Streams, isMessage, type MarketCandleClosedV1, type MarketCandleCorrectedV1, type MarketTradeV1 } from '@btc-research/contracts';
import type { KlineEvent, RestKline, TradeEvent } from '@btc-research/binance';
import { InProcessBus, createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { MarketPublisher } from '../market-publisher.js';
import { SymbolFeed, type MarketRestProvider } from './symbol-feed.js';

const logger = createLogger('symbol-feed-test', { level: 'silent' });
const T0 = Date.UTC(2024, 0, 1);
const trade = (id: number, time: number, price = 100): TradeEvent => ({ kind: 'trade', symbol: 'BTCUSDT', tradeId: id, aggregated: false, price: String(price), qty: '1', time, eventTime: time, isBuyerMaker: false });
const kline = (openTime: number, close: string, eventTime: number): KlineEvent => ({ kind: 'kline', symbol: 'BTCUSDT', eventTime, interval: '1m', openTime, closeTime: openTime + 60_000, open: '1', high: '9', low: '1', close, volume: '5', trades: 3, closed: true });

function setup(rest: MarketRestProvider | null = null, options: { provisionalAfterMs?: number; restRetryMs?: number } = {}) {
  const bus = new InProcessBus({ logger });
  const publisher = new MarketPublisher(bus, 'test', () => 0);
  const feed = new SymbolFeed({ symbol: 'BTCUSDT', venue: 'BINANCE', publisher, logger, rest, graceMs: 1_000, ...options });
  const entries = async () => (await bus.read(Streams.candles('BTCUSDT'), '0', 1000)).map((e) => e.envelope);
  const candles = async () => (await entries()).filter((e) => e.type === MessageType.candleClosed).map((e) => e.payload as MarketCandleClosedV1);
  const trades = async () => (await bus.read(Streams.trades('BTCUSDT'), '0', 1000)).map((e) => Number((e.envelope.payload as MarketTradeV1).tradeId));
  return { bus, publisher, feed, entries, candles, trades };
}

/** Moves the market clock and waits for everything it set off, a REST confirmation in the background included. */
async function settle(feed: SymbolFeed, time: number): Promise<void> {
  await feed.advanceClock(time);
  await feed.idle();
}

/** The candles a strategy gets from the stream, in stream order: confirmed closed candles and corrections. */
function confirmedInOrder(envelopes: ReadonlyArray<Parameters<typeof isMessage>[0]>): Array<MarketCandleClosedV1 | MarketCandleCorrectedV1> {
  const out: Array<MarketCandleClosedV1 | MarketCandleCorrectedV1> = [];
  for (const e of envelopes) {
    if (isMessage(e, MessageType.candleClosed) && !e.payload.provisional) out.push(e.payload);
    else if (isMessage(e, MessageType.candleCorrected)) out.push(e.payload);
  }
  return out;
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
    await settle(feed, T0 + 6 * M + 2_000);
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
    for (let t = 3 * M; t <= 7 * M + 15_000; t += 15_000) await settle(feed, T0 + t);
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
    for (let t = M; t <= 7 * M + 15_000; t += 15_000) await settle(feed, T0 + t);
    const c = await candles();
    expect(c.map((x) => (x.openTime - T0) / M)).toEqual([0, 1, 5, 6]);
    expect(c.map((x) => x.venueGapBefore ?? null)).toEqual([null, null, { fromOpenTime: T0 + 2 * M, minutes: 3, confirmedBy: 'rest' }, null]);
    await bus.close();
  });

  it('while REST fails, publishes the minutes it cannot confirm as provisional (what it saw), then corrects them in order to the exchange values', async () => {
    const M = 60_000;
    const exchange = (t: number): RestKline => ({ openTime: t, closeTime: t + M, open: '99', high: String(120 + (t - T0) / M), low: '90', close: String(105 + (t - T0) / M), volume: String(30 + (t - T0) / M), quoteVolume: '0', trades: 9, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
    let down = true;
    let failures = 0;
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        if (down) {
          failures += 1;
          throw new Error('HTTP 503 from /api/v3/klines');
        }
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) out.push(exchange(t));
        return out;
      },
    };
    const { feed, entries, candles, bus } = setup(rest, { provisionalAfterMs: 10_000, restRetryMs: 5_000 });
    feed.onTrade(trade(1, T0 + 10, 100)); // minute 0: the first trade seen, so not known complete
    feed.onTrade(trade(2, T0 + 20_000, 101));
    feed.onTrade(trade(5, T0 + M + 5, 103)); // ids 3, 4 missed: minutes 0 and 1 are incomplete
    feed.onTrade(trade(6, T0 + 2 * M + 5, 104)); // minute 2 is complete from trades
    feed.onTrade(trade(7, T0 + 3 * M + 5, 106));
    feed.onKline(kline(T0 + 3 * M, '107', T0 + 4 * M + 1)); // minute 3: the exchange's closed kline
    await settle(feed, T0 + 4 * M + 20_000);
    expect(failures).toBeGreaterThan(0);
    expect(feed.lastError).toContain('503');
    // every closed minute is published, all provisional (minutes 2 and 3 wait for 0 and 1)
    const shown = await candles();
    expect(shown.map((c) => [(c.openTime - T0) / M, c.provisional])).toEqual([[0, true], [1, true], [2, true], [3, true]]);
    expect(shown.slice(0, 2).map((c) => [c.open, c.high, c.low, c.close, c.volume])).toEqual([['100', '101', '100', '101', '2'], ['103', '103', '103', '103', '1']]);
    expect(confirmedInOrder(await entries())).toEqual([]); // nothing reaches a strategy
    expect(feed.unconfirmedMinutes).toBe(4);

    down = false;
    await settle(feed, T0 + 4 * M + 30_000);
    expect(feed.unconfirmedMinutes).toBe(0);
    expect(feed.lastError).toBeNull();
    const corrections = (await entries()).filter((e) => e.type === MessageType.candleCorrected).map((e) => e.payload as MarketCandleCorrectedV1);
    expect(corrections.map((c) => [(c.openTime - T0) / M, c.confirmedBy, c.changed])).toEqual([[0, 'rest', true], [1, 'rest', true], [2, 'trades', false], [3, 'kline', false]]);
    for (const c of corrections.slice(0, 2)) {
      const e = exchange(c.openTime);
      expect([c.open, c.high, c.low, c.close, c.volume]).toEqual([e.open, e.high, e.low, e.close, e.volume]);
    }
    // the next minute is confirmed at once: an ordinary candle again
    feed.onTrade(trade(8, T0 + 4 * M + 5, 108));
    feed.onTrade(trade(9, T0 + 5 * M + 5, 109));
    await settle(feed, T0 + 5 * M + 2_000);
    const strategyView = confirmedInOrder(await entries());
    expect(strategyView.map((c) => (c.openTime - T0) / M)).toEqual([0, 1, 2, 3, 4]);
    expect((await candles()).at(-1)).toMatchObject({ openTime: T0 + 4 * M, provisional: false, close: '108' });
    expect(feed.counters).toMatchObject({ provisionalCandles: 2, corrections: 4, changedCorrections: 2 });
    await bus.close();
  });

  it('holds a minute nothing was seen of (no invented candle) and confirms it first, after a restart too', async () => {
    const M = 60_000;
    const exchange = (t: number): RestKline => ({ openTime: t, closeTime: t + M, open: '50', high: '55', low: '45', close: String(50 + (t - T0) / M), volume: '3', quoteVolume: '0', trades: 4, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
    let down = true;
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        if (down) throw new Error('HTTP 429 from /api/v3/klines');
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) out.push(exchange(t));
        return out;
      },
    };
    const first = setup(rest, { provisionalAfterMs: 10_000, restRetryMs: 5_000 });
    await settle(first.feed, T0 + 5); // the feed starts at minute 0
    first.feed.onKline(kline(T0, '50', T0 + M + 1)); // minute 0 confirmed by its kline
    // minute 1: no trade and no kline frame; minute 2's kline comes
    first.feed.onKline(kline(T0 + 2 * M, '52', T0 + 3 * M + 1));
    await settle(first.feed, T0 + 3 * M + 15_000);
    const shown = await first.candles();
    expect(shown.map((c) => [(c.openTime - T0) / M, c.provisional])).toEqual([[0, false], [2, true]]); // nothing made up for minute 1
    expect(first.feed.unconfirmedMinutes).toBe(2);
    first.feed.stop();

    // a restart on the same bus while REST is back: minute 1, then 2, are confirmed before anything later
    down = false;
    const publisher = new MarketPublisher(first.bus, 'test', () => 0);
    await publisher.seedFromBus('BTCUSDT');
    const feed = new SymbolFeed({ symbol: 'BTCUSDT', venue: 'BINANCE', publisher, logger, rest, graceMs: 1_000, provisionalAfterMs: 10_000 });
    feed.onKline(kline(T0 + 3 * M, '53', T0 + 4 * M + 1));
    await settle(feed, T0 + 4 * M + 2_000);
    const view = confirmedInOrder(await first.entries());
    expect(view.map((c) => (c.openTime - T0) / M)).toEqual([0, 1, 2, 3]);
    expect(view[1]).toMatchObject({ close: exchange(T0 + M).close, changed: true, confirmedBy: 'rest' });
    expect(view[2]).toMatchObject({ close: exchange(T0 + 2 * M).close, confirmedBy: 'rest' });
    expect(feed.unconfirmedMinutes).toBe(0);
    await first.bus.close();
  });

  it('a REST call still retrying does not hold up the provisional bound: the minute goes out provisional on time, later ones keep flowing, the correction follows once', async () => {
    const M = 60_000;
    const exchange = (t: number): RestKline => ({ openTime: t, closeTime: t + M, open: '99', high: '120', low: '90', close: String(105 + (t - T0) / M), volume: '30', quoteVolume: '0', trades: 9, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
    let answer!: () => void;
    const retrying = new Promise<void>((r) => (answer = r)); // the client backing off on 429/503 until released
    const calls: Array<[number, number]> = [];
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        calls.push([start, end]);
        await retrying;
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) out.push(exchange(t));
        return out;
      },
    };
    const { feed, entries, candles, bus } = setup(rest, { provisionalAfterMs: 10_000, restRetryMs: 5_000 });
    feed.onTrade(trade(1, T0 + 10, 100));
    feed.onTrade(trade(2, T0 + 20_000, 101));
    feed.onTrade(trade(5, T0 + M + 5, 103)); // ids 3, 4 missed: only REST can confirm minutes 0 and 1
    const shownBy = async (t: number) => {
      await feed.advanceClock(T0 + t); // resolves although the REST call is still pending
      return (await candles()).map((c) => [(c.openTime - T0) / M, c.provisional]);
    };
    expect(await shownBy(M + 1_000)).toEqual([]); // asked at close + grace
    expect(await shownBy(M + 10_999)).toEqual([]);
    expect(await shownBy(M + 11_000)).toEqual([[0, true]]); // close + grace + bound, the call still retrying
    feed.onKline(kline(T0 + M, '106', T0 + 2 * M + 1)); // minute 1: its closed kline
    // minute 2: nothing seen of it; minute 3: its closed kline
    feed.onKline(kline(T0 + 3 * M, '108', T0 + 4 * M + 1));
    expect(await shownBy(4 * M + 11_000)).toEqual([[0, true], [1, true], [3, true]]); // nothing invented for minute 2
    expect(feed.unconfirmedMinutes).toBe(4);
    expect(calls).toEqual([[T0, T0 + M - 1]]); // one request at a time, none piled up behind the retrying one
    expect((await candles())[0]).toMatchObject({ open: '100', high: '101', low: '100', close: '101', volume: '2' }); // what the stream saw
    expect(confirmedInOrder(await entries())).toEqual([]);

    answer();
    await feed.idle();
    feed.onKline(kline(T0 + 4 * M, '109', T0 + 5 * M + 1));
    await settle(feed, T0 + 5 * M + 2_000);
    expect(calls).toEqual([[T0, T0 + M - 1], [T0 + 2 * M, T0 + 3 * M - 1]]);
    const view = confirmedInOrder(await entries());
    expect(view.map((c) => (c.openTime - T0) / M)).toEqual([0, 1, 2, 3, 4]);
    const corrections = (await entries()).filter((e) => e.type === MessageType.candleCorrected).map((e) => e.payload as MarketCandleCorrectedV1);
    expect(corrections.map((c) => [(c.openTime - T0) / M, c.confirmedBy, c.changed])).toEqual([[0, 'rest', true], [1, 'kline', false], [2, 'rest', true], [3, 'kline', false]]);
    expect([corrections[0]!.open, corrections[0]!.high, corrections[0]!.low, corrections[0]!.close, corrections[0]!.volume]).toEqual(['99', '120', '90', '105', '30']);
    expect((await candles()).at(-1)).toMatchObject({ openTime: T0 + 4 * M, provisional: false, close: '109' });
    expect(feed.counters).toMatchObject({ provisionalCandles: 2, corrections: 4 });
    await bus.close();
  });

  it('a minute first asked long after its close (restart backfill, a clock jump) gives REST the bound from the ask, then publishes it confirmed', async () => {
    const M = 60_000;
    let answer!: () => void;
    const slow = new Promise<void>((r) => (answer = r));
    const rest: MarketRestProvider = {
      depth: async () => ({ lastUpdateId: 1, bids: [], asks: [] }),
      klines: async (_s, start, end): Promise<RestKline[]> => {
        await slow;
        const out: RestKline[] = [];
        for (let t = start; t <= end; t += M) out.push({ openTime: t, closeTime: t + M, open: '7', high: '8', low: '6', close: '7', volume: '3', quoteVolume: '0', trades: 5, takerBuyVolume: '0', takerBuyQuoteVolume: '0' });
        return out;
      },
    };
    const { feed, candles, bus } = setup(rest, { provisionalAfterMs: 10_000 });
    feed.onTrade(trade(1, T0 + 10));
    await feed.advanceClock(T0 + 5 * M); // minutes 0..3 closed long ago: asked now
    await feed.advanceClock(T0 + 5 * M + 9_999);
    expect(await candles()).toEqual([]);
    expect(feed.unconfirmedMinutes).toBe(0); // not held back as provisional while REST still has its time
    answer();
    await settle(feed, T0 + 5 * M + 10_000);
    const c = await candles();
    expect(c.map((x) => [(x.openTime - T0) / M, x.provisional ?? false, x.origin])).toEqual([0, 1, 2, 3, 4].map((i) => [i, false, 'backfill']));
    expect(feed.unconfirmedMinutes).toBe(0);
    await bus.close();
  });
});
