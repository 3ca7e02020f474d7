import type { CandleDto, MarketDataResponse, MarketDepthResponse } from '@btc-research/contracts';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { loadFeed } from './feed.js';
import { notesOf, readSection } from './section.js';

const CANDLES = 120;
const DEPTH_LEVELS = 10;
const SYMBOL = /^[A-Z0-9]{2,20}$/;

/** Top of book as the market page shows it; the spread is worked out here for display only. */
export interface TickerView {
  price: string | null;
  bid: string | null;
  ask: string | null;
  spread: string | null;
  spreadBps: number | null;
}

export function tickerOf(market: Pick<MarketDataResponse, 'lastPrice' | 'bid' | 'ask'>): TickerView {
  const { lastPrice: price, bid, ask } = market;
  if (bid === null || ask === null) return { price, bid, ask, spread: null, spreadBps: null };
  const spread = Number(ask) - Number(bid);
  const mid = (Number(ask) + Number(bid)) / 2;
  return { price, bid, ask, spread: spread.toFixed(2), spreadBps: mid > 0 ? Math.round((spread / mid) * 1e6) / 100 : null };
}

/** The market page: feed status, top of book, 1m candles and order-book depth of one symbol. */
export async function loadMarket(api: ApiClient, requestedSymbol: string | undefined, auth?: ApiAuth) {
  const feed = await loadFeed(api, auth);
  const symbol = requestedSymbol !== undefined && SYMBOL.test(requestedSymbol) ? requestedSymbol : (feed.feed?.symbols[0] ?? 'BTCUSDT');
  const [market, depth] = await Promise.all([
    readSection('market data', api.read(endpoints.marketData(symbol, '1m', CANDLES), auth)),
    readSection('order-book depth', api.read(endpoints.depth(symbol, DEPTH_LEVELS), auth)),
  ]);
  const candles: CandleDto[] = market.value?.candles['1m'] ?? [];
  const book: Pick<MarketDepthResponse, 'bids' | 'asks'> | null = depth.value;
  return { ...feed, symbol, ticker: market.value ? tickerOf(market.value) : null, depth: book, candles, ...notesOf([market, depth]) };
}

export type MarketPageData = Awaited<ReturnType<typeof loadMarket>>;
