import type { MarketTimeframe, TradeDto } from '@btc-research/contracts';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

/** candles per chart page */
const PAGE = 300;
/** candles per live refresh of the newest page (trades come as live events between refreshes) */
const LIVE_PAGE = 5;
/** trades read per call while collecting a page's markers, and the most calls */
const TRADES_PER_CALL = 1000;
const MAX_TRADE_CALLS = 5;

/** Every trade of the strategy in [from, to), newest first, up to MAX_TRADE_CALLS pages of the API's list. */
async function tradesIn(api: ApiClient, id: string, from: number, to: number | undefined, auth?: ApiAuth): Promise<TradeDto[]> {
  const out: TradeDto[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_TRADE_CALLS; i++) {
    const page = await api.read(endpoints.trades(id, { limit: TRADES_PER_CALL, from, to, cursor }), auth);
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/**
 * One page of the strategy chart (the shared chart script asks for them as the user scrolls back):
 * candles of the timeframe from the stored history, the forming candle on the newest page, the
 * indicator series over the same window (one point per bar) and the trades in it, for markers.
 */
export async function loadChartPage(api: ApiClient, id: string, timeframe: MarketTimeframe, before: number | undefined, auth?: ApiAuth) {
  const page = await api.read(endpoints.strategyCandles(id, { timeframe, before, limit: PAGE }), auth);
  const first = page.candles[0] ?? page.forming;
  if (!first) return { ...page, indicators: [], trades: [], hasOlderTrades: false };
  const to = before; // the newest page runs to now
  const [indicators, trades, older] = await Promise.all([
    api.read(endpoints.indicatorWindow(id, { from: first.openTime, to, bar: timeframe, limit: 1000 }), auth),
    tradesIn(api, id, first.openTime, to, auth),
    api.read(endpoints.trades(id, { limit: 1, to: first.openTime }), auth),
  ]);
  // whether trades older than this page exist (their markers come with older pages)
  return { ...page, indicators: indicators.series, trades, hasOlderTrades: older.items.length > 0 };
}

/**
 * The chart's live refresh (every few seconds while a strategy page is open): the newest few
 * candles, the forming one and their indicator points; two API reads instead of a page's four,
 * since the page gets fills as live events and the API limits requests per client.
 */
export async function loadChartTail(api: ApiClient, id: string, timeframe: MarketTimeframe, auth?: ApiAuth) {
  const page = await api.read(endpoints.strategyCandles(id, { timeframe, limit: LIVE_PAGE }), auth);
  const first = page.candles[0] ?? page.forming;
  if (!first) return { ...page, indicators: [] };
  const indicators = await api.read(endpoints.indicatorWindow(id, { from: first.openTime, bar: timeframe, limit: 1000 }), auth);
  return { ...page, indicators: indicators.series };
}
