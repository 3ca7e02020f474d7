import type { StrategySummaryDto, TradeDto } from '@btc-research/contracts';
import { isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { tradesPageQuery, type TradesFilter } from './trades-filter.js';

export interface TradesData {
  strategies: StrategySummaryDto[];
  selected: string | null;
  trades: TradeDto[];
  nextCursor: string | null;
  filter: TradesFilter;
  error: string | null;
}

/**
 * One page of a strategy's trades, newest first. The API filters by time and pages with a cursor;
 * it has no side filter, so the side is applied to the page the API returned (a page of 50 trades
 * filtered to sells shows the sells among those 50, and "Older trades" goes on from there).
 */
async function attempt(out: TradesData, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (err) {
    if (isAuthError(err)) throw err;
    out.error ??= messageOf(err);
  }
}

export async function loadTrades(api: ApiClient, filter: TradesFilter, auth?: ApiAuth): Promise<TradesData> {
  const out: TradesData = { strategies: [], selected: null, trades: [], nextCursor: null, filter, error: null };
  await attempt(out, async () => {
    out.strategies = (await api.read(endpoints.activeStrategies(), auth)).items;
  });
  out.selected = filter.strategy ?? out.strategies[0]?.id ?? null;
  const selected = out.selected;
  if (selected === null) return out;
  await attempt(out, async () => {
    const page = await api.read(endpoints.trades(selected, tradesPageQuery(filter)), auth);
    out.trades = filter.side === undefined ? page.items : page.items.filter((t) => t.side === filter.side);
    out.nextCursor = page.nextCursor;
  });
  return out;
}
