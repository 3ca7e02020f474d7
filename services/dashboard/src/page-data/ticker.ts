import type { MarketDataResponse } from '@btc-research/contracts';

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
