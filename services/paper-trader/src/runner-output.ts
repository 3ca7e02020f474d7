import type { Logger, OrderRecord, StrategyEventRecord, TradeRecord } from '@btc-research/platform';

/** What processing some market inputs changed, ready to persist. */
export interface RunnerOutput {
  trades: TradeRecord[];
  /** last version of every order that changed */
  orders: OrderRecord[];
  events: StrategyEventRecord[];
  rejections: Array<{ orderId: string; reason: string; message: string; time: number }>;
  /** true when at least one candle was processed (a new equity point) */
  candles: number;
}

export function emptyOutput(): RunnerOutput {
  return { trades: [], orders: [], events: [], rejections: [], candles: 0 };
}

/** Ticks that changed nothing (no order, fill or candle) need no write: the account is as stored. */
export function hasChanges(out: RunnerOutput): boolean {
  return out.candles > 0 || out.events.length > 0;
}

/** Orders the exchange refused are business outcomes, not errors: logged for the operator. */
export function logRejections(logger: Logger, strategyId: string, out: RunnerOutput): void {
  for (const rejection of out.rejections) logger.info({ strategyId, ...rejection }, 'order rejected');
}
