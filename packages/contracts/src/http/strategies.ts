import { z } from 'zod';
import { DecimalString, StrategyId, UnixMs } from '../scalars.js';
import { WarmupProgressDto } from './warmup.js';
import { StrategyFillV1, StrategyStatusValue } from '../messages/strategy-events.v1.js';
import { STRATEGY_YAML_LIMIT_TEXT } from './configs.js';

export const StrategyIdParams = z.object({ id: StrategyId });
export type StrategyIdParams = z.infer<typeof StrategyIdParams>;

/** One trade as the API returns it: the bus's strategy.order.filled, field for field. */
export const TradeDto = StrategyFillV1.meta({ id: 'Trade' });
export type TradeDto = z.infer<typeof TradeDto>;

/** Which strategy, and how it is: the fields every strategy view of the API starts with. */
const StrategyIdentity = z.object({
  id: StrategyId,
  name: z.string(),
  configName: z.string(),
  symbol: z.string(),
  status: StrategyStatusValue,
  error: z.string().nullable(),
});

export const StrategySummaryDto = z
  .object({
    ...StrategyIdentity.shape,
    initialCash: DecimalString,
    equity: DecimalString,
    cash: DecimalString,
    pnl: DecimalString.describe('equity − initial cash'),
    pnlPct: z.number().describe('pnl / initial cash × 100'),
    realizedPnl: DecimalString,
    unrealizedPnl: DecimalString,
    positionQty: DecimalString,
    lastPrice: DecimalString.nullable(),
    tradeCount: z.number().int().nonnegative(),
    lastTrades: z.array(TradeDto).describe('newest first, at most 5'),
    createdAt: UnixMs,
    updatedAt: UnixMs,
  })
  .meta({ id: 'StrategySummary' });
export type StrategySummaryDto = z.infer<typeof StrategySummaryDto>;

export const ActiveStrategiesQuery = z.object({
  status: z
    .string()
    .max(100)
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === '') return undefined;
      const out: StrategyStatusValue[] = [];
      for (const part of s.split(',').map((p) => p.trim())) {
        const v = StrategyStatusValue.safeParse(part);
        if (!v.success) {
          ctx.addIssue({ code: 'custom', message: `unknown status "${part}" (use ${StrategyStatusValue.options.join(', ')})` });
          return z.NEVER;
        }
        out.push(v.data);
      }
      return out;
    })
    .describe('only these statuses, comma separated (default: every strategy in the store)'),
});

export const ActiveStrategiesResponse = z.object({ items: z.array(StrategySummaryDto), asOf: UnixMs }).meta({ id: 'ActiveStrategies' });
export type ActiveStrategiesResponse = z.infer<typeof ActiveStrategiesResponse>;

export const StrategyStatusResponse = z
  .object({
    ...StrategyIdentity.shape,
    isHealthy: z.boolean().describe('running or warming up, without error'),
    lastCandleCloseTime: UnixMs.nullable(),
    stateTime: UnixMs.nullable(),
    equity: DecimalString,
    pnl: DecimalString,
    tradeCount: z.number().int().nonnegative(),
    createdAt: UnixMs,
    updatedAt: UnixMs,
    warmup: WarmupProgressDto.nullable().optional().describe('indicator warm-up progress (null when the config does not compile)'),
  })
  .meta({ id: 'StrategyStatus' });
export type StrategyStatusResponse = z.infer<typeof StrategyStatusResponse>;

export const StrategyStatsResponse = z
  .object({
    id: StrategyId,
    asOf: UnixMs,
    initialCash: DecimalString,
    equity: DecimalString,
    cash: DecimalString,
    positionQty: DecimalString,
    avgEntryPrice: DecimalString,
    lastPrice: DecimalString.nullable(),
    totalPnl: DecimalString,
    realizedPnl: DecimalString,
    unrealizedPnl: DecimalString,
    feesPaid: DecimalString,
    totalReturnPct: z.number(),
    tradeCount: z.number().int().nonnegative(),
    closedTrades: z.number().int().nonnegative().describe('round trips (flat → position → flat)'),
    winningTrades: z.number().int().nonnegative().describe('round trips with net PnL (after fees) > 0'),
    losingTrades: z.number().int().nonnegative(),
    winRatePct: z.number().nullable(),
    profitFactor: z.number().nullable().describe('gross win / gross loss of round trips; null without a losing trip'),
    averageWin: z.number().nullable().describe('mean net PnL of winning round trips, quote currency'),
    averageLoss: z.number().nullable(),
    expectancy: z.number().nullable().describe('mean net PnL per round trip'),
    maxDrawdownPct: z.number().describe('over the stored equity curve'),
    maxDrawdownDurationMs: z.number().nonnegative(),
    sharpe: z.number().nullable().describe('daily returns, annualised over 365 days (engine statistics); null with fewer than 30 daily returns (ratiosNote says why)'),
    sortino: z.number().nullable().describe('mean daily return over the downside deviation, × √365; null like sharpe'),
    cagrPct: z.number().nullable().describe('null like sharpe'),
    calmar: z.number().nullable().describe('null like sharpe'),
    dailyReturns: z.number().int().nonnegative().describe('how many daily returns the annualised ratios come from'),
    ratiosNote: z.string().nullable().describe('why sharpe, sortino, cagrPct and calmar are null (too few daily returns); null when they are computed'),
    equityPoints: z.number().int().nonnegative(),
  })
  .meta({ id: 'StrategyStats' });
export type StrategyStatsResponse = z.infer<typeof StrategyStatsResponse>;

export const RoundTripsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type RoundTripsQuery = z.infer<typeof RoundTripsQuery>;

/** A round trip (flat → position → flat), the unit the statistics count wins and losses in. */
export const RoundTripDto = z
  .object({
    side: z.enum(['long', 'short']),
    entryTime: UnixMs,
    exitTime: UnixMs,
    durationMs: z.number().nonnegative(),
    quantity: z.number().describe('the largest position of the trip'),
    entryPrice: z.number().describe('volume-weighted over the fills that opened or added'),
    exitPrice: z.number().describe('volume-weighted over the fills that reduced or closed'),
    grossPnl: DecimalString.describe('realized price PnL, before fees'),
    fees: DecimalString.describe('fees of every fill of the trip'),
    netPnl: DecimalString.describe('gross − fees: a trip is a win when this is > 0'),
    profitPct: z.number().describe('net PnL / entry notional × 100'),
    entryReason: z.string(),
    exitReason: z.string().describe('the reason the strategy gave for the closing fill (rule, stop, forced exit, …)'),
  })
  .meta({ id: 'RoundTrip' });
export type RoundTripDto = z.infer<typeof RoundTripDto>;

export const RoundTripsResponse = z
  .object({
    items: z.array(RoundTripDto).describe('newest exit first'),
    total: z.number().int().nonnegative().describe('closed round trips in all'),
    hasOpenPosition: z.boolean().describe('a trip is open and not listed until it closes'),
  })
  .meta({ id: 'RoundTripPage' });
export type RoundTripsResponse = z.infer<typeof RoundTripsResponse>;

export const TradesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().min(1).max(200).optional(),
  from: z.coerce.number().int().nonnegative().optional().describe('epoch ms, inclusive'),
  to: z.coerce.number().int().nonnegative().optional().describe('epoch ms, exclusive'),
  format: z.enum(['json', 'csv']).default('json').describe('csv exports every trade in the time range (cursor and limit ignored)'),
});
export type TradesQuery = z.infer<typeof TradesQuery>;

export const TradesResponse = z.object({ items: z.array(TradeDto), nextCursor: z.string().nullable() }).meta({ id: 'TradePage' });
export type TradesResponse = z.infer<typeof TradesResponse>;

export const PositionDto = z
  .object({
    symbol: z.string(),
    quantity: DecimalString,
    averagePrice: DecimalString,
    unrealizedPnl: DecimalString,
    realizedPnl: DecimalString,
    updatedAt: UnixMs,
  })
  .meta({ id: 'Position' });
export const PositionsResponse = z.object({ items: z.array(PositionDto) }).meta({ id: 'Positions' });
export type PositionsResponse = z.infer<typeof PositionsResponse>;

export const FillQualityDto = z
  .object({
    decisionPrice: DecimalString.describe('price when the strategy decided'),
    arrivalMid: DecimalString.describe('mid price when the order reached the simulated exchange'),
    vwap: DecimalString.describe('volume-weighted fill price'),
    slippageBps: DecimalString.describe('VWAP vs arrival mid, basis points (positive = worse)'),
    latencyMs: z.number().nonnegative(),
    levelsConsumed: z.number().int().nonnegative().describe('book levels its book fills took (walked or crossed); modelled and trade fills add none'),
  })
  .meta({ id: 'FillQuality' });
export type FillQualityDto = z.infer<typeof FillQualityDto>;

export const OrderDto = z
  .object({
    orderId: z.string(),
    symbol: z.string(),
    side: z.enum(['buy', 'sell']),
    type: z.enum(['market', 'limit', 'stop_market', 'stop_limit']),
    status: z.enum(['pending', 'open', 'filled', 'cancelled', 'rejected']),
    quantity: DecimalString,
    filledQty: DecimalString,
    avgPrice: DecimalString.nullable(),
    limitPrice: DecimalString.nullable(),
    stopPrice: DecimalString.nullable(),
    reduceOnly: z.boolean(),
    fees: DecimalString,
    reason: z.string(),
    decidedAt: UnixMs,
    arrivesAt: UnixMs,
    triggeredAt: UnixMs.nullable(),
    rejectReason: z.string().nullable(),
    rejectMessage: z.string().nullable(),
    updatedAt: UnixMs,
    fillQuality: FillQualityDto,
  })
  .meta({ id: 'Order' });
export type OrderDto = z.infer<typeof OrderDto>;
export const OrdersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  openOnly: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('only orders not done yet (pending, open)'),
});
export const OrdersResponse = z.object({ items: z.array(OrderDto) }).meta({ id: 'Orders' });
export type OrdersResponse = z.infer<typeof OrdersResponse>;

export const EquityQuery = z.object({
  since: z.coerce.number().int().nonnegative().default(0).describe('epoch ms'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export const EquityPointDto = z.object({ time: UnixMs, equity: DecimalString }).meta({ id: 'EquityPoint' });
export const EquityResponse = z.object({ items: z.array(EquityPointDto) }).meta({ id: 'EquityCurve' });
export type EquityResponse = z.infer<typeof EquityResponse>;

export const StartStrategyBody = z
  .object({
    configName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.ya?ml$/, 'expected a file name in config/ such as "demo-rsi.yaml"')
      .optional(),
    configYaml: z.string().min(1).describe(`strategy YAML, ${STRATEGY_YAML_LIMIT_TEXT}`).optional(),
    strategyId: StrategyId.optional().describe('a new id; without one, a config that already runs is refused (409 STRATEGY_ALREADY_RUNNING)'),
    name: z.string().trim().min(1).max(120).optional().describe("the strategy's display name (default: the YAML's name, else the config file name)"),
    initialCash: DecimalString.optional(),
    waitMs: z.number().int().min(0).max(30_000).optional().describe('how long to wait for the paper-trader to confirm (default 5000 ms)'),
  })
  .strict()
  .refine((b) => (b.configName === undefined) !== (b.configYaml === undefined), {
    message: 'give exactly one of configName or configYaml',
  })
  .meta({ id: 'StartStrategyRequest' });
export type StartStrategyBody = z.infer<typeof StartStrategyBody>;

export const StopStrategyBody = z
  .object({
    reason: z.string().max(500).default('requested via API'),
    waitMs: z.number().int().min(0).max(30_000).optional().describe('how long to wait for the paper-trader to confirm (default 5000 ms)'),
  })
  .strict()
  .meta({ id: 'StopStrategyRequest' });
export type StopStrategyBody = z.infer<typeof StopStrategyBody>;

export const RestartStrategyBody = z
  .object({
    waitMs: z.number().int().min(0).max(30_000).optional().describe('how long to wait for the paper-trader to confirm (default 5000 ms)'),
  })
  .strict()
  .meta({ id: 'RestartStrategyRequest' });
export type RestartStrategyBody = z.infer<typeof RestartStrategyBody>;

export const RemoveStrategyResponse = z
  .object({ strategyId: StrategyId, removed: z.literal(true) })
  .meta({ id: 'RemoveStrategyResult', description: 'the strategy and everything stored for it (trades, orders, equity, events) are gone' });
export type RemoveStrategyResponse = z.infer<typeof RemoveStrategyResponse>;

export const CommandResultResponse = z
  .object({
    strategyId: StrategyId,
    commandId: z.string(),
    accepted: z.boolean().describe('false while the paper-trader has not confirmed yet (202)'),
    status: StrategyStatusValue.nullable(),
    statusUrl: z.string(),
    eventsUrl: z.string(),
  })
  .meta({ id: 'CommandResult' });
export type CommandResultResponse = z.infer<typeof CommandResultResponse>;

export const IndicatorsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(300).describe('points per series (the newest)'),
  from: z.coerce.number().int().nonnegative().optional().describe('epoch ms: only points whose candle closes at or after this'),
  to: z.coerce.number().int().nonnegative().optional().describe('epoch ms: only points whose candle closes at or before this'),
  bar: z
    .enum(['1m', '5m', '15m', '30m', '1h', '4h', '1d'])
    .optional()
    .describe("one point per bar of this timeframe (the bar's last value), for a chart drawn in that timeframe"),
});

/** What a series measures (the engine's output kind, less text outputs, which are not drawn). */
export const IndicatorSeriesKind = z
  .enum(['price', 'bounded', 'unbounded', 'count', 'boolean'])
  .describe('price: drawn over the candles; bounded: an oscillator with a fixed range; unbounded: its own scale; count: a count or index; boolean: a flag drawn as 0/1')
  .meta({ id: 'IndicatorSeriesKind' });
export type IndicatorSeriesKind = z.infer<typeof IndicatorSeriesKind>;

export const IndicatorSeriesDto = z
  .object({
    name: z.string().describe('the column name rules use, e.g. RSI_14 or BB_20_upper'),
    indicatorId: z.string(),
    type: z.string(),
    output: z.string(),
    timeframe: z.string(),
    kind: IndicatorSeriesKind,
    overlay: z.boolean().describe('drawn on the price chart (true: kind "price") or in a pane of its own'),
    points: z.array(z.object({ time: UnixMs.describe('close time of the candle'), value: z.number().describe('a boolean series gives 1 (true) and 0 (false)') })),
  })
  .meta({ id: 'IndicatorSeries' });

export const IndicatorsResponse = z
  .object({
    strategyId: StrategyId,
    symbol: z.string(),
    series: z.array(IndicatorSeriesDto),
    candlesUsed: z.number().int().nonnegative().describe('closed 1m candles the series were computed from (stored history and the bus)'),
  })
  .meta({ id: 'Indicators' });
export type IndicatorsResponse = z.infer<typeof IndicatorsResponse>;
