import type { StrategySummaryDto } from '@btc-research/contracts';
import { isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { loadFeed, type FeedData } from './feed.js';

export interface OverviewData extends FeedData {
  /** every strategy in the store, with its last trades (newest first) */
  strategies: StrategySummaryDto[];
  /** why the list is missing */
  error: string | null;
  generatedAt: number;
}

async function loadStrategies(api: ApiClient, auth?: ApiAuth): Promise<{ strategies: StrategySummaryDto[]; error: string | null }> {
  try {
    return { strategies: (await api.read(endpoints.activeStrategies(), auth)).items, error: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    return { strategies: [], error: messageOf(err) };
  }
}

/** The overview: two reads, the feed status and the strategy list (which carries the last trades). */
export async function loadOverview(api: ApiClient, auth?: ApiAuth): Promise<OverviewData> {
  const [feed, list] = await Promise.all([loadFeed(api, auth), loadStrategies(api, auth)]);
  return { ...feed, ...list, generatedAt: Date.now() };
}
