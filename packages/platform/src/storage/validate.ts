import { CandleValues, MarketSymbol, NotificationChannelName, NotificationEventV1, StrategyFillV1, StrategyId, StrategyParityCheckedV1, StrategyStatusValue } from '@btc-research/contracts';
import { z } from 'zod';
import { DataCorruptedError, ValidationError } from '../errors.js';
import type { WarmupHistoryRecord, EquityPoint, MarketEventRecord, ParityCheckRecord, OrderRecord, PositionRecord, StrategyEventRecord, StrategyRecord, StrategyState, TradeQuery, TradeRecord } from './strategy-store.js';

/** Input checks shared by every StrategyStore backend, so they accept and reject the same things. */

const Decimal = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'expected a decimal string');
const Ms = z.number().int().nonnegative();

/** strategy.json: the record without its YAML */
export const StoredStrategy = z.object({
  id: z.string(),
  name: z.string(),
  configName: z.string(),
  symbol: z.string(),
  status: StrategyStatusValue,
  error: z.string().nullable(),
  initialCash: Decimal,
  createdAt: Ms,
  updatedAt: Ms,
});

export const StoredState = z.object({
  strategyId: z.string(),
  time: Ms,
  cash: Decimal,
  equity: Decimal,
  positionQty: Decimal,
  avgEntryPrice: Decimal,
  realizedPnl: Decimal,
  unrealizedPnl: Decimal,
  feesPaid: Decimal,
  lastPrice: Decimal.nullable(),
  lastCandleCloseTime: Ms.nullable(),
  tradeCount: z.number().int().nonnegative(),
  core: z.unknown(),
});

export const StoredPosition = z.object({
  strategyId: z.string(),
  symbol: z.string(),
  quantity: Decimal,
  averagePrice: Decimal,
  unrealizedPnl: Decimal,
  realizedPnl: Decimal,
  updatedAt: Ms,
});

export const StoredEquity = z.object({ time: Ms, equity: Decimal });

function describeIssue(error: z.ZodError): { text: string; path: string } {
  const issue = error.issues[0];
  const path = issue?.path.join('.') ?? '';
  return { text: `${path} ${issue?.message ?? 'invalid'}`.trim(), path };
}

function check<T>(schema: z.ZodType<T>, value: unknown, what: string, details: Record<string, unknown> = {}): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { text, path } = describeIssue(parsed.error);
  throw new ValidationError(`invalid ${what}: ${text}`, { details: { ...details, path } });
}

/** Parses data read back from storage; failures are corruption, naming where. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { text, path } = describeIssue(parsed.error);
  throw new DataCorruptedError(`${where}: ${text}`, { details: { file: where, path } });
}

export function parseStoredState(value: unknown, where: string): StrategyState {
  return parseStored(StoredState, value, where) as StrategyState;
}

/** Strategy ids become directory names and keys: only the canonical form is accepted. */
export function assertStrategyId(id: string): void {
  if (!StrategyId.safeParse(id).success) {
    throw new ValidationError(`invalid strategy id "${id}": expected lower-case letters, digits and dashes`, { details: { strategyId: id } });
  }
}

export function checkStrategyRecord(record: StrategyRecord): void {
  const { configYaml, ...rest } = record;
  check(StoredStrategy, rest, 'strategy record', { strategyId: record.id });
  if (typeof configYaml !== 'string') throw new ValidationError('invalid strategy record: configYaml must be a string');
}

export function checkStrategyState(state: StrategyState): void {
  check(StoredState, state, 'strategy state', { strategyId: state.strategyId });
}

export function checkTrades(id: string, trades: readonly TradeRecord[]): void {
  for (const t of trades) {
    check(StrategyFillV1, t, `trade ${t.tradeId}`, { tradeId: t.tradeId });
    if (t.strategyId !== id) throw new ValidationError(`trade ${t.tradeId} belongs to ${t.strategyId}, not ${id}`, { details: { tradeId: t.tradeId } });
  }
}

export function checkPositions(id: string, positions: readonly PositionRecord[]): void {
  const symbols = new Set<string>();
  for (const p of positions) {
    check(StoredPosition, p, 'position', { symbol: p.symbol });
    if (p.strategyId !== id) throw new ValidationError(`position ${p.symbol} belongs to ${p.strategyId}, not ${id}`);
    if (symbols.has(p.symbol)) throw new ValidationError(`duplicate position for ${p.symbol}`, { details: { symbol: p.symbol } });
    symbols.add(p.symbol);
  }
}

export function checkEquityPoints(points: readonly EquityPoint[]): void {
  for (const p of points) check(StoredEquity, p, 'equity point', { time: p.time });
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

export const StoredQuality = z.object({
  decisionPrice: Decimal,
  arrivalMid: Decimal,
  vwap: Decimal,
  slippageBps: Decimal,
  latencyMs: z.number().int().nonnegative(),
  levelsConsumed: z.number().int().nonnegative(),
});

export const StoredOrder = z.object({
  strategyId: z.string(),
  orderId: z.string().min(1),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
  type: z.enum(['market', 'limit', 'stop_market', 'stop_limit']),
  quantity: Decimal,
  limitPrice: Decimal.nullable(),
  stopPrice: Decimal.nullable(),
  reduceOnly: z.boolean(),
  status: z.enum(['pending', 'open', 'filled', 'cancelled', 'rejected']),
  filledQty: Decimal,
  avgPrice: Decimal.nullable(),
  fees: Decimal,
  reason: z.string(),
  decidedAt: Ms,
  arrivesAt: Ms,
  triggeredAt: Ms.nullable(),
  rejectReason: z.string().nullable(),
  rejectMessage: z.string().nullable(),
  updatedAt: Ms,
  quality: StoredQuality,
});

/** A notification outbox row (event × channel) as the outbox files and backups hold it. */
export const StoredOutboxDelivery = z.object({
  eventId: z.string(),
  channel: NotificationChannelName,
  event: NotificationEventV1,
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  nextAttemptAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
});

export const StoredEvent = z.object({ strategyId: z.string(), seq: z.number().int().positive(), type: z.string().min(1), time: Ms, data: z.unknown() });

export const StoredMarketEvent = z.object({
  symbol: z.string(),
  seq: z.number().int().positive(),
  kind: z.enum(['candle', 'book', 'trade']),
  time: Ms,
  sourceId: z.string().min(1),
  data: z.unknown(),
});

const NewMarketEvent = StoredMarketEvent.omit({ seq: true, symbol: true });

export function checkOrders(id: string, orders: readonly OrderRecord[]): void {
  for (const o of orders) {
    check(StoredOrder, o, `order ${o.orderId}`, { orderId: o.orderId });
    if (o.strategyId !== id) throw new ValidationError(`order ${o.orderId} belongs to ${o.strategyId}, not ${id}`, { details: { orderId: o.orderId } });
  }
}

export function checkEvents(id: string, events: readonly StrategyEventRecord[]): void {
  for (const e of events) {
    check(StoredEvent, e, `event ${e.seq}`, { seq: e.seq });
    if (e.strategyId !== id) throw new ValidationError(`event ${e.seq} belongs to ${e.strategyId}, not ${id}`);
  }
}

/** Symbols name market-log files: only the canonical form (BTCUSDT) is accepted. */
export function isMarketSymbol(symbol: string): boolean {
  return /^[A-Z0-9]{2,20}$/.test(symbol);
}

export function checkMarketEvents(symbol: string, events: ReadonlyArray<Omit<MarketEventRecord, 'seq' | 'symbol'>>): void {
  if (!isMarketSymbol(symbol)) throw new ValidationError(`invalid symbol "${symbol}"`);
  for (const e of events) check(NewMarketEvent, e, `market event ${e.sourceId}`, { sourceId: e.sourceId });
}

/** Market-log records numbered by the caller: the symbol's own, seqs consecutive from the first. */
export function checkNumberedMarketEvents(symbol: string, events: readonly MarketEventRecord[]): void {
  checkMarketEvents(
    symbol,
    events.map(({ seq: _seq, symbol: _symbol, ...e }) => e),
  );
  events.forEach((e, i) => {
    if (e.symbol !== symbol) throw new ValidationError(`market event ${e.sourceId} is for ${e.symbol}, not ${symbol}`);
    if (!Number.isSafeInteger(e.seq) || e.seq < 1 || (i > 0 && e.seq !== events[i - 1]!.seq + 1)) {
      throw new ValidationError(`market event ${e.sourceId} has seq ${e.seq}; seqs must be consecutive positive integers`);
    }
  });
}

/** A parity check to store: the contract's record for a valid strategy id; returns it as parsed. */
export function checkParityCheck(c: ParityCheckRecord): ParityCheckRecord {
  assertStrategyId(c.strategyId);
  return check(StrategyParityCheckedV1, c, `parity check ${String(c.checkId)}`, { strategyId: c.strategyId, checkId: c.checkId });
}

/** What a stored warm-up history holds: the strategy, its symbol and contract candles, oldest first. */
export const StoredWarmupHistory = z.object({ strategyId: StrategyId, symbol: MarketSymbol, candles: z.array(CandleValues) });

/** A warm-up history to store: valid candles, oldest first and one minute apart (contiguous); returns it as parsed. */
export function checkWarmupHistory(h: WarmupHistoryRecord): WarmupHistoryRecord {
  assertStrategyId(h.strategyId);
  const valid = check(StoredWarmupHistory, h, `warm-up history of ${String(h.strategyId)}`, { strategyId: h.strategyId });
  for (let i = 1; i < valid.candles.length; i++) {
    if (valid.candles[i]!.openTime !== valid.candles[i - 1]!.closeTime) {
      throw new ValidationError(`warm-up history of ${h.strategyId}: candle ${i} (openTime ${valid.candles[i]!.openTime}) does not follow the one before it`, { details: { strategyId: h.strategyId, index: i } });
    }
  }
  return valid;
}
