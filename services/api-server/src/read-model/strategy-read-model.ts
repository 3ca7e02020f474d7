import type {
  RoundTripsResponse,
  OrderDto,
  StrategyStatsResponse,
  StrategyStatusResponse,
  StrategySummaryDto,
  TradeDto,
} from '@btc-research/contracts';
import type { StrategyRecord, StrategyState, StrategyStore, TradeRecord } from '@btc-research/platform';
import { Decimal, computeStatistics, toDecimalString } from '@btc-research/engine';
import type { StatsModels } from './stats-model.js';

const LAST_TRADES = 5;

function toTradeDto(t: TradeRecord): TradeDto {
  return {
    tradeId: t.tradeId,
    orderId: t.orderId,
    strategyId: t.strategyId,
    symbol: t.symbol,
    side: t.side,
    quantity: t.quantity,
    price: t.price,
    fee: t.fee,
    realizedPnl: t.realizedPnl,
    reason: t.reason,
    time: t.time,
    ...(t.liquidity !== undefined ? { liquidity: t.liquidity } : {}),
    ...(t.quality !== undefined ? { quality: t.quality } : {}),
    ...(t.provenance !== undefined ? { provenance: t.provenance } : {}),
  };
}
export { toTradeDto };

/** the fields every strategy view starts with (contracts' StrategyIdentity) */
function identityOf(record: StrategyRecord): Pick<StrategyStatusResponse, 'id' | 'name' | 'configName' | 'symbol' | 'status' | 'error'> {
  const { id, name, configName, symbol, status, error } = record;
  return { id, name, configName, symbol, status, error };
}

function equityOf(record: StrategyRecord, state: StrategyState | null): string {
  return state?.equity ?? record.initialCash;
}

/** equity − initial cash, exact */
function pnlOf(equity: string, record: StrategyRecord): string {
  return toDecimalString(new Decimal(equity).minus(record.initialCash));
}

/** pnl / initial cash × 100, cut to 6 decimals (a percentage, where a float is fine); 0 without cash */
function percentOfCash(pnl: string, record: StrategyRecord): number {
  const cash = new Decimal(record.initialCash);
  return cash.isZero() ? 0 : new Decimal(pnl).div(cash).times(100).toDecimalPlaces(6, Decimal.ROUND_DOWN).toNumber();
}

export async function summarizeStrategy(store: StrategyStore, record: StrategyRecord): Promise<StrategySummaryDto> {
  const [state, page] = await Promise.all([store.loadState(record.id), store.listTrades(record.id, { limit: LAST_TRADES })]);
  const tradeCount = state ? state.tradeCount : await store.countTrades(record.id);
  const equity = equityOf(record, state);
  const pnl = pnlOf(equity, record);
  return {
    ...identityOf(record),
    initialCash: record.initialCash,
    equity,
    cash: state?.cash ?? record.initialCash,
    pnl,
    pnlPct: percentOfCash(pnl, record),
    realizedPnl: state?.realizedPnl ?? '0',
    unrealizedPnl: state?.unrealizedPnl ?? '0',
    positionQty: state?.positionQty ?? '0',
    lastPrice: state?.lastPrice ?? null,
    tradeCount,
    lastTrades: page.items.map(toTradeDto),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export async function strategyStatus(store: StrategyStore, record: StrategyRecord): Promise<StrategyStatusResponse> {
  const state = await store.loadState(record.id);
  const equity = equityOf(record, state);
  return {
    ...identityOf(record),
    isHealthy: (record.status === 'running' || record.status === 'warming-up' || record.status === 'starting') && record.error === null,
    lastCandleCloseTime: state?.lastCandleCloseTime ?? null,
    stateTime: state?.time ?? null,
    equity,
    pnl: pnlOf(equity, record),
    tradeCount: state ? state.tradeCount : await store.countTrades(record.id),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export async function strategyStats(store: StrategyStore, record: StrategyRecord, now: number, models: StatsModels): Promise<StrategyStatsResponse> {
  const [state, model] = await Promise.all([store.loadState(record.id), models.synced(store, record.id)]);
  const closed = model.trips.closed;
  const wins = closed.filter((t) => t.netPnl > 0);
  const losses = closed.filter((t) => t.netPnl <= 0);
  const equity = equityOf(record, state);
  const totalPnl = pnlOf(equity, record);
  const stats = computeStatistics({
    initialEquity: Number(record.initialCash),
    samples: model.samples,
    trades: closed,
    feesPaid: Number(state?.feesPaid ?? '0'),
    exposedMs: 0,
  });
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const ratio = (x: number | null): number | null => (x === null ? null : finite(x));
  const mean = (xs: readonly number[]): number | null => (xs.length > 0 ? xs.reduce((a, x) => a + x, 0) / xs.length : null);
  return {
    id: record.id,
    asOf: state?.time ?? now,
    initialCash: record.initialCash,
    equity,
    cash: state?.cash ?? record.initialCash,
    positionQty: state?.positionQty ?? '0',
    avgEntryPrice: state?.avgEntryPrice ?? '0',
    lastPrice: state?.lastPrice ?? null,
    totalPnl,
    realizedPnl: state?.realizedPnl ?? '0',
    unrealizedPnl: state?.unrealizedPnl ?? '0',
    feesPaid: state?.feesPaid ?? '0',
    totalReturnPct: percentOfCash(totalPnl, record),
    tradeCount: state ? Math.max(state.tradeCount, model.fillCount) : model.fillCount,
    closedTrades: closed.length,
    winningTrades: wins.length,
    losingTrades: losses.length,
    winRatePct: closed.length > 0 ? stats.winRate * 100 : null,
    profitFactor: closed.length > 0 ? finite(stats.profitFactor) : null,
    averageWin: mean(wins.map((t) => t.netPnl)),
    averageLoss: mean(losses.map((t) => t.netPnl)),
    expectancy: closed.length > 0 ? finite(stats.expectancy) : null,
    maxDrawdownPct: finite(stats.maxDrawdown * 100) ?? 0,
    maxDrawdownDurationMs: stats.maxDrawdownDurationMs,
    sharpe: ratio(stats.sharpe),
    sortino: ratio(stats.sortino),
    cagrPct: ratio(stats.cagr === null ? null : stats.cagr * 100),
    calmar: ratio(stats.calmar),
    dailyReturns: stats.dailyReturns,
    ratiosNote: stats.ratiosUnavailable,
    equityPoints: model.samples.length,
  };
}

/** Orders of a strategy as the paper-trader recorded them, newest decision first, with fill quality. */
export async function strategyOrders(store: StrategyStore, id: string, query: { limit: number; openOnly: boolean }): Promise<OrderDto[]> {
  const orders = await store.listOrders(id, { limit: query.limit, ...(query.openOnly ? { openOnly: true } : {}) });
  // the stored order is the engine's order view plus its strategy and symbol; the API names its quality fillQuality
  return orders.map(({ strategyId: _strategyId, quality, ...order }) => ({ ...order, fillQuality: { ...quality } }));
}

const CSV_COLUMNS = ['time', 'tradeId', 'orderId', 'strategyId', 'symbol', 'side', 'quantity', 'price', 'fee', 'realizedPnl', 'reason'] as const;

function csvCell(v: string | number): string {
  const s = String(v);
  // quote when needed; prefix formula-like cells so spreadsheets do not evaluate them
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function tradesCsvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\n`;
}

export function tradeCsvRow(t: TradeRecord): string {
  return `${CSV_COLUMNS.map((c) => csvCell(t[c])).join(',')}\n`;
}

/** Closed round trips of a strategy, newest exit first, with gross and net PnL and their reasons. */
export async function strategyRoundTrips(store: StrategyStore, id: string, limit: number, models: StatsModels): Promise<RoundTripsResponse> {
  const model = await models.synced(store, id);
  const closed = model.trips.closed;
  const items = closed
    .slice(-limit)
    .reverse()
    .map((t) => {
      const entryNotional = t.entryPrice * t.quantity;
      return {
        side: t.side,
        entryTime: t.entryTime,
        exitTime: t.exitTime,
        durationMs: Math.max(0, t.exitTime - t.entryTime),
        quantity: t.quantity,
        entryPrice: t.entryPrice,
        exitPrice: t.exitPrice,
        grossPnl: t.grossPnlExact,
        fees: t.feesExact,
        netPnl: t.netPnlExact,
        profitPct: entryNotional > 0 ? (Number(t.netPnlExact) / entryNotional) * 100 : 0,
        entryReason: t.entryReason,
        exitReason: t.exitReason,
      };
    });
  return { items, total: closed.length, hasOpenPosition: model.trips.isOpen };
}
