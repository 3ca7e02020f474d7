import type { CandleDto } from '@btc-research/contracts';
import { loadBook } from './market-book.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { loadFeed } from './feed.js';
import { notesOf, readSection } from './section.js';

const CANDLES = 120;
const SYMBOL = /^[A-Z0-9]{2,20}$/;

export { tickerOf, type TickerView } from './ticker.js';

/** The market page: feed status, 1m candles, and the book (bid/ask, depth, recent trades) from one moment. */
export async function loadMarket(api: ApiClient, requestedSymbol: string | undefined, auth?: ApiAuth) {
  const feed = await loadFeed(api, auth);
  const symbol = requestedSymbol !== undefined && SYMBOL.test(requestedSymbol) ? requestedSymbol : (feed.feed?.symbols[0] ?? 'BTCUSDT');
  const [market, book] = await Promise.all([readSection('market data', api.read(endpoints.marketData(symbol, '1m', CANDLES), auth)), loadBook(api, symbol, auth)]);
  const candles: CandleDto[] = market.value?.candles['1m'] ?? [];
  const notes = notesOf([market]);
  return {
    ...feed,
    symbol,
    ...book,
    candles,
    unavailable: [...new Set([...notes.unavailable, ...book.unavailable])],
    failures: [...new Set([...notes.failures, ...book.failures])],
  };
}

export type MarketPageData = Awaited<ReturnType<typeof loadMarket>>;
