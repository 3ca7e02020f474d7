import {
  MessageType,
  Streams,
  isMessage,
  type CandleDto,
  type FeedStatusResponse,
  type MarketCandleClosedV1,
  type MarketDataResponse,
  type MarketTimeframe,
} from '@btc-research/contracts';
import { Decimal, toDecimalString } from '@btc-research/engine';
import type { MessageBus } from '@btc-research/platform';
import type { FeedSnapshot } from '../live/event-hub.js';
import type { CandleHistory } from './candle-history.js';

export const TF_MS: Readonly<Record<MarketTimeframe, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};
/** the most 1m candles one request aggregates */
const MAX_BASE_CANDLES = 20_000;

export function feedResponse(feed: FeedSnapshot | null): FeedStatusResponse {
  return feed
    ? { available: true, isSimulated: feed.status.isSimulated, status: feed.status, receivedAt: feed.tsEvent }
    : { available: false, isSimulated: false, status: null, receivedAt: null };
}

/** What aggregation reads of a 1m candle (the bus's, or the stored history's, which has no flags). */
type AggregatableMinute = Pick<MarketCandleClosedV1, 'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume'> & { provisional?: boolean; corrected?: true };

/** Builds candles of one timeframe from closed 1m candles (epoch-aligned buckets, oldest first). */
export function aggregateCandles(base: ReadonlyArray<AggregatableMinute>, tf: MarketTimeframe): CandleDto[] {
  const size = TF_MS[tf];
  const out: CandleDto[] = [];
  let current: { c: CandleDto; high: Decimal; low: Decimal; volume: Decimal; minutes: number } | null = null;
  const flush = (): void => {
    if (!current) return;
    current.c.volume = toDecimalString(current.volume);
    current.c.isComplete = current.minutes * 60_000 >= size;
    out.push(current.c);
  };
  for (const k of base) {
    const openTime = Math.floor(k.openTime / size) * size;
    if (!current || current.c.openTime !== openTime) {
      flush();
      current = {
        c: { openTime, closeTime: openTime + size, open: k.open, high: k.high, low: k.low, close: k.close, volume: '0', isComplete: false },
        high: new Decimal(k.high),
        low: new Decimal(k.low),
        volume: new Decimal(k.volume),
        minutes: 1,
      };
      if (k.provisional) current.c.provisional = true;
      if (k.corrected) current.c.corrected = true;
      continue;
    }
    if (k.provisional) current.c.provisional = true;
    if (k.corrected) current.c.corrected = true;
    const high = new Decimal(k.high);
    if (high.gt(current.high)) {
      current.high = high;
      current.c.high = k.high;
    }
    const low = new Decimal(k.low);
    if (low.lt(current.low)) {
      current.low = low;
      current.c.low = k.low;
    }
    current.c.close = k.close;
    current.volume = current.volume.plus(k.volume);
    current.minutes += 1;
  }
  flush();
  return out;
}

/**
 * Last price, best bid/ask and candles per timeframe of a symbol. The candles come from the candle
 * history (the market log plus what the bus has that the log does not hold yet), so the bus need not
 * keep days of candles in memory; the venue, last trade and book come from the bus.
 */
export async function marketData(
  bus: MessageBus,
  history: CandleHistory,
  feed: FeedSnapshot | null,
  input: { symbol: string; timeframes: readonly MarketTimeframe[]; limit: number },
): Promise<MarketDataResponse | null> {
  const response: MarketDataResponse = {
    symbol: input.symbol,
    venue: null,
    lastPrice: null,
    lastTradeTime: null,
    bid: null,
    ask: null,
    bookTime: null,
    candles: {},
    feed: feedResponse(feed),
  };
  const maxMinutes = Math.max(1, ...input.timeframes.map((tf) => TF_MS[tf] / 60_000));
  const [trades, books, lastCandles, { candles }] = await Promise.all([
    bus.readLatest(Streams.trades(input.symbol), 1),
    bus.readLatest(Streams.bookTicker(input.symbol), 1),
    bus.readLatest(Streams.candles(input.symbol), 1),
    history.candles(input.symbol),
  ]);
  const base = candles.slice(-Math.min(MAX_BASE_CANDLES, maxMinutes * (input.limit + 1)));
  for (const tf of input.timeframes) response.candles[tf] = aggregateCandles(base, tf).slice(-input.limit);

  if (base.length === 0 && trades.length === 0 && books.length === 0) return null;
  const trade = trades[0]?.envelope;
  if (trade && isMessage(trade, MessageType.trade)) {
    response.venue = trade.payload.venue;
    response.lastPrice = trade.payload.price;
    response.lastTradeTime = trade.payload.time;
  }
  const lastCandle = base[base.length - 1];
  const busCandle = lastCandles[0]?.envelope;
  if (busCandle && isMessage(busCandle, MessageType.candleClosed)) response.venue ??= busCandle.payload.venue;
  if (lastCandle && (response.lastTradeTime === null || lastCandle.closeTime > response.lastTradeTime)) {
    response.lastPrice = lastCandle.close;
    response.lastTradeTime = lastCandle.closeTime;
  }
  const book = books[0]?.envelope;
  if (book && isMessage(book, MessageType.bookTicker)) {
    response.venue ??= book.payload.venue;
    response.bid = book.payload.bidPrice;
    response.ask = book.payload.askPrice;
    response.bookTime = book.payload.time;
  }
  return response;
}
