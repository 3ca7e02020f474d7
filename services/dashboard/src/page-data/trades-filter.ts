import type { TradesPageQuery, TradesRange } from '../api/endpoints.js';
import { filledField } from '../plugins/form-fields.js';

/** The trades page's filter form, as the browser sends it in the query string. */
export interface TradesFilter {
  strategy: string | undefined;
  side: 'buy' | 'sell' | undefined;
  cursor: string | undefined;
  /** datetime-local text, read as UTC */
  from: string | undefined;
  to: string | undefined;
  limit: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export function readTradesFilter(query: unknown): TradesFilter {
  const side = filledField(query, 'side');
  const limit = Number(filledField(query, 'limit'));
  return {
    strategy: filledField(query, 'strategy'),
    side: side === 'buy' || side === 'sell' ? side : undefined,
    cursor: filledField(query, 'cursor'),
    from: filledField(query, 'from'),
    to: filledField(query, 'to'),
    limit: Number.isInteger(limit) ? Math.min(Math.max(limit, 1), MAX_LIMIT) : DEFAULT_LIMIT,
  };
}

/** A datetime-local value ("2025-11-24T16:00") is read as UTC, like every time the dashboard shows. */
function utcMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text}Z` : text);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function rangeOf(filter: Pick<TradesFilter, 'from' | 'to'>): TradesRange {
  return { from: utcMs(filter.from), to: utcMs(filter.to) };
}

/** The API's trade-list query for a filter (the API has no side filter: see trades.ts). */
export function tradesPageQuery(filter: TradesFilter): TradesPageQuery {
  return { limit: filter.limit, cursor: filter.cursor, ...rangeOf(filter) };
}
