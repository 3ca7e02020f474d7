import type { CandleValues, FillQualityDto, OrderDto, StrategyFillV1, StrategyParityCheckedV1, StrategyStatusValue } from '@btc-research/contracts';
import type { NotificationOutbox, OutboxDelivery } from './notification-outbox.js';

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

/** One parity check of a strategy (its recorded inputs replayed and compared with paper trading). */
export type ParityCheckRecord = StrategyParityCheckedV1;

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

/** Fill quality of one paper order (strings are exact decimals), as the API serves it. */
export type FillQualityRecord = FillQualityDto;

/** A paper order and where it stands, with its fill quality (the API's order of one strategy). Upserted on every change. */
export type OrderRecord = Omit<OrderDto, 'fillQuality'> & { strategyId: string; quality: FillQualityRecord };

export interface OrderQuery {
  limit: number;
  /** only orders not done yet */
  openOnly?: boolean;
}

/** One entry of a strategy's append-only event log; `seq` is its position (1, 2, …) and idempotency key. */
export interface StrategyEventRecord {
  strategyId: string;
  seq: number;
  type: string;
  time: number;
  data: unknown;
}

/** A checksummed snapshot of a strategy's state, taken periodically. */
export interface SnapshotRecord {
  strategyId: string;
  /** the last event-log seq the snapshot includes */
  eventSeq: number;
  /** the last market-log seq the strategy had processed */
  marketSeq: number;
  time: number;
  state: unknown;
}

export type SnapshotLoad =
  | { status: 'missing' }
  | { status: 'ok'; snapshot: SnapshotRecord; checksum: string }
  /** the stored checksum does not match the content: rebuild from the event log */
  | { status: 'corrupt'; reason: string };

/** One input of the per-symbol market log every worker replays in the same order. */
export interface MarketEventRecord {
  symbol: string;
  /** position in the symbol's log, assigned on append (1, 2, …) */
  seq: number;
  kind: 'candle' | 'book' | 'trade';
  time: number;
  /** idempotency key from the source (e.g. "candle:<openTime>" or the bus entry id) */
  sourceId: string;
  data: unknown;
}

/** Everything one processed input batch changed for a strategy, written together (the state last). */
/**
 * Older 1m candles for one strategy's warm-up, older than its symbol's market log (the
 * stream-manager's `strategy.warmup.history`): stored with the strategy so every rebuild feeds the
 * same ones before the log. Oldest first; closeTime exclusive.
 */
export interface WarmupHistoryRecord {
  strategyId: string;
  symbol: string;
  candles: CandleValues[];
}

export interface StrategyEffects {
  trades?: readonly TradeRecord[];
  orders?: readonly OrderRecord[];
  events?: readonly StrategyEventRecord[];
  positions?: readonly PositionRecord[];
  equity?: readonly EquityPoint[];
  state?: StrategyState;
}

/** One strategy's effects in a write of several strategies' (persistMany, appendMarketEventsWithEffects). */
export interface StrategyEffectsBatch {
  strategyId: string;
  effects: StrategyEffects;
}

/** Statuses in which a strategy counts as live: it runs, or is about to. */
export const LIVE_STRATEGY_STATUSES: ReadonlySet<StrategyStatusValue> = new Set(['starting', 'warming-up', 'running']);

/** A request to start a strategy, made atomically against what is stored (see claimStrategyStart). */
export interface StartClaimRequest {
  strategyId: string;
  /** who starts it: the API client's stable id (a key's hash or a token's subject) */
  owner: string;
  /** the claim stands this long unless settled earlier; after that the strategy's own status speaks */
  ttlMs: number;
  /** refused when the owner already has this many live strategies (claims in progress included); null = no cap */
  maxLivePerOwner: number | null;
}

export type StartClaim =
  | { outcome: 'claimed' }
  /** another start of this id has been claimed and is not settled yet */
  | { outcome: 'in-progress' }
  /** the strategy is live already */
  | { outcome: 'live'; status: StrategyStatusValue }
  | { outcome: 'limit-reached'; live: number; limit: number };

/** One line of a backup: everything a store holds except leases (see exportData / importData). */
export type BackupRecord =
  | { kind: 'header'; format: 'btc-research-backup'; version: 1; createdAt: number; source: 'json' | 'postgres' }
  | { kind: 'strategy'; record: StrategyRecord }
  | { kind: 'state'; strategyId: string; state: StrategyState }
  | { kind: 'positions'; strategyId: string; positions: PositionRecord[] }
  | { kind: 'trades'; strategyId: string; trades: TradeRecord[] }
  | { kind: 'equity'; strategyId: string; points: EquityPoint[] }
  | { kind: 'orders'; strategyId: string; orders: OrderRecord[] }
  | { kind: 'events'; strategyId: string; events: StrategyEventRecord[] }
  | { kind: 'snapshot'; strategyId: string; snapshot: SnapshotRecord; checksum: string }
  /** parity checks, oldest first */
  | { kind: 'parity'; strategyId: string; checks: ParityCheckRecord[] }
  /** the strategy's warm-up history (older candles than its symbol's market log) */
  | { kind: 'warmup'; strategyId: string; history: WarmupHistoryRecord }
  | { kind: 'start-claim'; strategyId: string; owner: string }
  | { kind: 'market'; symbol: string; events: MarketEventRecord[] }
  /** notification deliveries (pending, delivered, failed), oldest first */
  | { kind: 'outbox'; rows: OutboxDelivery[] };

export interface BackupCounts {
  strategies: number;
  trades: number;
  orders: number;
  events: number;
  equityPoints: number;
  snapshots: number;
  marketEvents: number;
  /** notification outbox rows (event × channel) */
  notifications: number;
}

export interface LeaseInfo {
  name: string;
  owner: string;
  expiresAt: number;
}

/**
 * Persistence of strategies, their state, trades, positions and equity curve.
 * JSON files under data/strategies/{id}/ in development; PostgreSQL in production.
 * appendTrades is idempotent on tradeId (a redelivered input never doubles a trade).
 */
export interface StrategyStore {
  readonly kind: 'json' | 'postgres';
  /** notifications waiting to be sent and what became of them (see notification-outbox.ts) */
  readonly outbox: NotificationOutbox;
  listStrategies(): Promise<StrategyRecord[]>;
  getStrategy(id: string): Promise<StrategyRecord | null>;
  upsertStrategy(record: StrategyRecord): Promise<void>;
  /** Removes a strategy and everything stored for it (state, trades, orders, events, snapshot, claim); false when unknown. */
  deleteStrategy(id: string): Promise<boolean>;
  saveState(state: StrategyState): Promise<void>;
  loadState(id: string): Promise<StrategyState | null>;
  appendTrades(id: string, trades: readonly TradeRecord[]): Promise<void>;
  listTrades(id: string, query: TradeQuery): Promise<TradePage>;
  countTrades(id: string): Promise<number>;
  savePositions(id: string, positions: readonly PositionRecord[]): Promise<void>;
  loadPositions(id: string): Promise<PositionRecord[]>;
  appendEquity(id: string, points: readonly EquityPoint[]): Promise<void>;
  listEquity(id: string, since: number, limit: number): Promise<EquityPoint[]>;

  /** Inserts or replaces orders by orderId. */
  upsertOrders(id: string, orders: readonly OrderRecord[]): Promise<void>;
  /** Newest decision first. */
  listOrders(id: string, query: OrderQuery): Promise<OrderRecord[]>;
  getOrder(id: string, orderId: string): Promise<OrderRecord | null>;
  /** Appends to the strategy's event log; idempotent on seq (an existing seq is kept as it is). */
  appendEvents(id: string, events: readonly StrategyEventRecord[]): Promise<void>;
  /** Events with seq > afterSeq, oldest first. */
  listEvents(id: string, afterSeq: number, limit: number): Promise<StrategyEventRecord[]>;
  /** Stores a snapshot with a SHA-256 checksum of its content, replacing the previous one. */
  saveSnapshot(snapshot: SnapshotRecord): Promise<void>;
  loadSnapshot(id: string): Promise<SnapshotLoad>;
  /** Writes a processed batch's effects; the state goes last so a crash never records progress without its effects. */
  persistEffects(id: string, effects: StrategyEffects): Promise<void>;
  /** Several strategies' batches at once (PostgreSQL: one statement; JSON: one after another). */
  persistMany(batches: readonly StrategyEffectsBatch[]): Promise<void>;

  /** Appends market inputs to the symbol's log, skipping sourceIds already there; returns the records added, with their seq. */
  appendMarketEvents(symbol: string, events: ReadonlyArray<Omit<MarketEventRecord, 'seq' | 'symbol'>>): Promise<MarketEventRecord[]>;
  /** Market inputs with seq > afterSeq, in log order. */
  listMarketEvents(symbol: string, afterSeq: number, limit: number): Promise<MarketEventRecord[]>;
  /**
   * Deletes the symbol's inputs with seq ≤ uptoSeq (retention), always keeping the last one so the
   * numbering continues after it; later inputs keep their seqs. Returns how many were deleted.
   */
  pruneMarketEvents(symbol: string, uptoSeq: number): Promise<number>;
  /** The last `limit` inputs of the symbol's log, in log order (where the log ends, and its recent source ids). */
  lastMarketEvents(symbol: string, limit: number): Promise<MarketEventRecord[]>;
  /**
   * The log writer's one commit per input batch: appends market inputs with the seqs the caller
   * assigned (continuing the log exactly) together with the effects strategies produced from them,
   * all or nothing (PostgreSQL: one statement). A seq or source id already in the log fails it with
   * a ConflictError and writes nothing, so the caller can fall back to appendMarketEvents.
   */
  appendMarketEventsWithEffects(symbol: string, events: readonly MarketEventRecord[], batches: readonly StrategyEffectsBatch[]): Promise<void>;

  /**
   * Claims the start of a strategy in one atomic step: refused while another start of the id is in
   * progress, when the strategy is live, or when the owner is at its cap of live strategies. So of
   * any number of concurrent starts of one id exactly one is claimed. The owner is remembered (the
   * cap counts the owner's live strategies) and backed up.
   */
  claimStrategyStart(request: StartClaimRequest): Promise<StartClaim>;
  /** Ends a claim's pending time early (the paper-trader confirmed or refused the start); ownership stays. */
  settleStrategyStart(strategyId: string, owner: string): Promise<void>;

  /** Stores a parity check; idempotent on (strategyId, checkId): a check stored again keeps the first record. */
  saveParityCheck(check: ParityCheckRecord): Promise<void>;
  /** The strategy's parity checks, newest first (by checkedAt), at most `limit`. */
  listParityChecks(id: string, limit: number): Promise<ParityCheckRecord[]>;
  getParityCheck(id: string, checkId: string): Promise<ParityCheckRecord | null>;

  /** Stores a strategy's warm-up history, replacing the one it had. */
  saveWarmupHistory(history: WarmupHistoryRecord): Promise<void>;
  /** The strategy's warm-up history; null when it has none. */
  loadWarmupHistory(id: string): Promise<WarmupHistoryRecord | null>;

  /** Symbols that have a market log, sorted. */
  listMarketSymbols(): Promise<string[]>;
  /** Restore: writes inputs with their seqs into a symbol's empty log (a pruned log starts after seq 1). */
  importMarketEvents(symbol: string, events: readonly MarketEventRecord[]): Promise<void>;
  /**
   * Everything stored except leases, as backup records: strategies with their state, positions,
   * trades, equity, orders, event log and snapshot, start ownership, then the market logs. One
   * consistent view: PostgreSQL reads in one REPEATABLE READ transaction; JSON files are read per
   * strategy at a moment no write touched them (see the backend).
   */
  exportData(): AsyncGenerator<BackupRecord>;
  /** Writes exported records into this store, which must be empty (PostgreSQL: one transaction). */
  importData(records: AsyncIterable<BackupRecord>): Promise<BackupCounts>;
  /** Deletes everything stored (restore --force). Stop the services first. */
  clear(): Promise<void>;

  /** Takes or renews a named lease for `ttlMs`; false when another owner holds an unexpired one. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, owner: string): Promise<void>;
  getLease(name: string): Promise<LeaseInfo | null>;

  close(): Promise<void>;
}
