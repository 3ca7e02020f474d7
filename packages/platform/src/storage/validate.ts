import { StrategyId } from '@btc-research/contracts';
import { ValidationError } from '../errors.js';
import type { TradeQuery } from './strategy-store.js';

/** Strategy ids become directory names and keys: only the canonical form is accepted. */
export function assertStrategyId(id: string): void {
  if (!StrategyId.safeParse(id).success) {
    throw new ValidationError(`invalid strategy id "${id}": expected lower-case letters, digits and dashes`, { details: { strategyId: id } });
  }
}

export const MAX_TRADE_PAGE = 1000;

export function assertTradeQuery(query: TradeQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_TRADE_PAGE) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_TRADE_PAGE}`, { details: { limit: query.limit } });
  }
  for (const key of ['from', 'to'] as const) {
    const v = query[key];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new ValidationError(`${key} must be epoch milliseconds`, { details: { [key]: v } });
    }
  }
}
