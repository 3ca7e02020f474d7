import type { EquityPointDto, StrategySummaryDto, TradeDto } from '@btc-research/contracts';
import type { z } from 'zod';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import type { FeedView } from './feed.js';
import { loadOverview } from './overview.js';
import { notesOf, readSection } from './section.js';

const TRADES = 20;
const EQUITY_POINTS = 2000;
const NEWEST_EQUITY = 5;

/** What a polling browser gets every few seconds: the current numbers, and a strategy page's newest trades and equity. */
export interface LiveSnapshot {
  time: number;
  feed: FeedView | null;
  strategies: StrategySummaryDto[];
  error: string | null;
  trades?: TradeDto[];
  equity?: z.infer<typeof EquityPointDto>[];
  failures?: string[];
}

export async function loadLiveSnapshot(api: ApiClient, auth: ApiAuth | undefined, strategyId: string | undefined): Promise<LiveSnapshot> {
  const overview = await loadOverview(api, auth);
  const out: LiveSnapshot = { time: Date.now(), feed: overview.feed, strategies: overview.strategies, error: overview.error };
  if (strategyId === undefined) return out;
  const [trades, equity] = await Promise.all([
    readSection('trades', api.read(endpoints.trades(strategyId, { limit: TRADES }), auth)),
    readSection('equity curve', api.read(endpoints.equity(strategyId, EQUITY_POINTS), auth)),
  ]);
  return { ...out, trades: trades.value?.items ?? [], equity: (equity.value?.items ?? []).slice(-NEWEST_EQUITY), failures: notesOf([trades, equity]).failures };
}
