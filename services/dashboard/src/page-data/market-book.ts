import type { MarketDataResponse, MarketDepthResponse, MarketTradesResponse } from '@btc-research/contracts';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { tickerOf, type TickerView } from './ticker.js';
import { notesOf, readSection, type SectionNotes } from './section.js';

export const DEPTH_LEVELS = 15;
const TRADES = 25;

/** What the market page shows of the book, all of it from one moment so the numbers agree. */
export interface BookView {
  /** bid/ask above the table: the best levels of the book shown below it when there is one */
  ticker: TickerView;
  /** when the bid/ask were true: the book snapshot's time, or the best-bid/ask tick's */
  bookTime: number | null;
  /** where the bid/ask come from */
  bookSource: 'depth' | 'ticker' | null;
  depth: Pick<MarketDepthResponse, 'bids' | 'asks' | 'time'> | null;
  trades: MarketTradesResponse['items'];
}

/**
 * One consistent view of the book: when the stream-manager has published a depth snapshot, the
 * bid and ask shown above the table are that snapshot's best levels (the separate best-bid/ask
 * stream may be a moment ahead or behind it, which made the two contradict); otherwise the
 * best-bid/ask tick. The last price is the newest trade's or candle's.
 */
export function bookViewOf(
  market: Pick<MarketDataResponse, 'lastPrice' | 'bid' | 'ask' | 'bookTime'> | null,
  depth: Pick<MarketDepthResponse, 'bids' | 'asks' | 'time'> | null,
  trades: MarketTradesResponse['items'],
): BookView {
  const lastPrice = trades[0]?.price ?? market?.lastPrice ?? null;
  const bestBid = depth?.bids[0]?.[0] ?? null;
  const bestAsk = depth?.asks[0]?.[0] ?? null;
  if (depth && (bestBid !== null || bestAsk !== null)) {
    return { ticker: tickerOf({ lastPrice, bid: bestBid, ask: bestAsk }), bookTime: depth.time, bookSource: 'depth', depth, trades };
  }
  if (market) return { ticker: tickerOf({ lastPrice, bid: market.bid, ask: market.ask }), bookTime: market.bookTime, bookSource: market.bid || market.ask ? 'ticker' : null, depth: null, trades };
  return { ticker: tickerOf({ lastPrice, bid: null, ask: null }), bookTime: null, bookSource: null, depth: null, trades };
}

/** The live part of the market page (polled): book, bid/ask from it, recent trades, and what could not be read. */
export async function loadBook(api: ApiClient, symbol: string, auth?: ApiAuth): Promise<BookView & SectionNotes> {
  const [market, depth, trades] = await Promise.all([
    readSection('market data', api.read(endpoints.marketData(symbol, '1m', 1), auth)),
    readSection('order-book depth', api.read(endpoints.depth(symbol, DEPTH_LEVELS), auth)),
    readSection('recent trades', api.read(endpoints.marketTrades(symbol, TRADES), auth)),
  ]);
  return { ...bookViewOf(market.value, depth.value, trades.value?.items ?? []), ...notesOf([market, depth, trades]) };
}
