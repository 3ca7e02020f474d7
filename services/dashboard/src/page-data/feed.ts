import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import { isAuthError, messageOf } from '../api/api-errors.js';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

/** The feed status as pages show it: the stream-manager's status, and whether it counts as stale. */
export type FeedView = MarketFeedStatusV1 & { isStale: boolean };

/** Feed states the banner calls STALE (public/live.js keeps the same list for live updates). */
const STALE_STATES: ReadonlySet<MarketFeedStatusV1['state']> = new Set(['stale', 'degraded', 'stopped']);

export function toFeedView(status: MarketFeedStatusV1): FeedView {
  return { ...status, isStale: STALE_STATES.has(status.state) };
}

export interface FeedData {
  feed: FeedView | null;
  /** why there is no feed status */
  feedError: string | null;
}

export async function loadFeed(api: ApiClient, auth?: ApiAuth): Promise<FeedData> {
  try {
    const answer = await api.read(endpoints.feed(), auth);
    if (answer.status === null) return { feed: null, feedError: 'the stream-manager has not published a feed status yet' };
    return { feed: toFeedView(answer.status), feedError: null };
  } catch (err) {
    if (isAuthError(err)) throw err;
    return { feed: null, feedError: messageOf(err) };
  }
}
