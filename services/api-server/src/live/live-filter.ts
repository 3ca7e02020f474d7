import { ApiErrorCode, LiveEventKind, type LiveEventKind as Kind } from '@btc-research/contracts';
import { ApiError } from '../errors.js';
import type { LiveEvent } from './event-hub.js';

/** Which live events one connection asked for (`?strategyId=&types=`). */
export interface LiveFilter {
  strategyId: string | undefined;
  kinds: ReadonlySet<Kind>;
}

/** `types` is a comma-separated list of kinds (all when absent); an unknown kind is a 400. */
export function parseLiveFilter(query: { strategyId?: string | undefined; types?: string | undefined }): LiveFilter {
  const kinds = new Set<Kind>();
  if (query.types !== undefined && query.types.trim() !== '') {
    for (const raw of query.types.split(',')) {
      const k = LiveEventKind.safeParse(raw.trim());
      if (!k.success) throw new ApiError(400, ApiErrorCode.validationFailed, `unknown event type "${raw.trim()}" (use ${LiveEventKind.options.join(', ')})`);
      kinds.add(k.data);
    }
  } else for (const k of LiveEventKind.options) kinds.add(k);
  return { strategyId: query.strategyId, kinds };
}

/** Feed events go to every connection that asked for the kind; strategy events only to their strategy's. */
export function matchesLiveFilter(filter: LiveFilter, event: LiveEvent): boolean {
  if (!filter.kinds.has(event.kind)) return false;
  return event.kind === 'feed' || filter.strategyId === undefined || event.strategyId === filter.strategyId;
}

/** The wire form of a live event (SSE data and WebSocket message). */
export function liveEventMessage(event: LiveEvent): { kind: Kind; cursor: string; strategyId: string | null; type: string; tsEvent: number; payload: unknown } {
  return { kind: event.kind, cursor: event.cursor, strategyId: event.strategyId, type: event.envelope.type, tsEvent: event.envelope.tsEvent, payload: event.envelope.payload };
}
