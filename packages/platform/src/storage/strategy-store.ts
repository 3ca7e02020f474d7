import type { StrategyFillV1, StrategyStatusValue } from '@btc-research/contracts';

/** A strategy known to the system (started at least once). Money fields are decimal strings. */
export interface StrategyRecord {
  id: string;
  name: string;
  /** file name in config/ it was started from, e.g. "demo-rsi-mean-reversion.yaml" */
  configName: string;
  /** the YAML text it runs with (a copy; editing config/ later does not change a running strategy) */
  configYaml: string;
  symbol: string;
  status: StrategyStatusValue;
  error: string | null;
  initialCash: string;
  createdAt: number;
  updatedAt: number;
}

/** Account state after the last processed input. `core` is the engine's own snapshot (opaque here). */
export interface StrategyState {
  strategyId: string;
  time: number;
  cash: string;
  equity: string;
  positionQty: string;
  avgEntryPrice: string;
  realizedPnl: string;
  unrealizedPnl: string;
  feesPaid: string;
  lastPrice: string | null;
  /** close time of the last 1m candle the strategy processed (its resume point) */
  lastCandleCloseTime: number | null;
  tradeCount: number;
  core: unknown;
}

export type TradeRecord = StrategyFillV1;

export interface PositionRecord {
  strategyId: string;
  symbol: string;
  quantity: string;
  averagePrice: string;
  unrealizedPnl: string;
  realizedPnl: string;
  updatedAt: number;
}

export interface EquityPoint {
  time: number;
  equity: string;
}

export interface TradeQuery {
  limit: number;
  /** return trades strictly older than this cursor (opaque string from a previous page) */
  cursor?: string;
  from?: number;
  to?: number;
}

export interface TradePage {
  items: TradeRecord[];
  nextCursor: string | null;
}

/**
 * Persistence of strategies, their state, trades, positions and equity curve.
 * JSON files under data/strategies/{id}/ in development; PostgreSQL in production.
 * appendTrades is idempotent on tradeId (a redelivered input never doubles a trade).
 */
export interface StrategyStore {
  readonly kind: 'json' | 'postgres';
  listStrategies(): Promise<StrategyRecord[]>;
  getStrategy(id: string): Promise<StrategyRecord | null>;
  upsertStrategy(record: StrategyRecord): Promise<void>;
  saveState(state: StrategyState): Promise<void>;
  loadState(id: string): Promise<StrategyState | null>;
  appendTrades(id: string, trades: readonly TradeRecord[]): Promise<void>;
  listTrades(id: string, query: TradeQuery): Promise<TradePage>;
  countTrades(id: string): Promise<number>;
  savePositions(id: string, positions: readonly PositionRecord[]): Promise<void>;
  loadPositions(id: string): Promise<PositionRecord[]>;
  appendEquity(id: string, points: readonly EquityPoint[]): Promise<void>;
  listEquity(id: string, since: number, limit: number): Promise<EquityPoint[]>;
  close(): Promise<void>;
}
