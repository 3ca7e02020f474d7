import { z } from 'zod';
import { StrategyId, UnixMs } from '../scalars.js';
import { STRATEGY_YAML_LIMIT_TEXT } from './configs.js';

/**
 * Backtests from the browser: a job over recorded market data (the paper-trader's market log, or a
 * 1m kline CSV in the backtest data directory), run off the trading path, polled until done.
 */
export const CreateBacktestBody = z
  .object({
    configName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.ya?ml$/, 'expected a file name in config/ such as "demo-rsi.yaml"')
      .optional(),
    yaml: z.string().min(1).describe(`strategy YAML, ${STRATEGY_YAML_LIMIT_TEXT}`).optional(),
    strategyId: StrategyId.optional().describe("a strategy's own stored config (and the reconciliation link to it)"),
    source: z.enum(['market-log', 'file']),
    file: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.csv$/, 'expected a kline CSV file name such as "BTCUSDT-1m.csv"')
      .optional()
      .describe('source "file": a 1m kline CSV in the backtest data directory'),
    symbol: z.string().regex(/^[A-Z0-9]{2,20}$/).optional().describe('source "market-log": the market (default: the config\'s)'),
    from: UnixMs.optional().describe('first traded candle (ms); candles before it warm up the indicators'),
    to: UnixMs.optional().describe('end of the window (ms, exclusive)'),
  })
  .strict()
  .refine((b) => [b.configName, b.yaml, b.strategyId].filter((x) => x !== undefined).length === 1, { message: 'give exactly one of configName, yaml or strategyId' })
  .refine((b) => (b.source === 'file') === (b.file !== undefined), { message: 'source "file" needs `file` (and only it)' })
  .refine((b) => b.from === undefined || b.to === undefined || b.from < b.to, { message: '`from` must be before `to`' })
  .meta({ id: 'CreateBacktestRequest' });
export type CreateBacktestBody = z.infer<typeof CreateBacktestBody>;

export const CreateBacktestResponse = z.object({ id: z.string(), statusUrl: z.string() }).meta({ id: 'CreateBacktestResult' });
export type CreateBacktestResponse = z.infer<typeof CreateBacktestResponse>;

export const BacktestIdParams = z.object({ id: z.string().regex(/^bt-[0-9a-f]{12}$/) });

export const BacktestStatusValue = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type BacktestStatusValue = z.infer<typeof BacktestStatusValue>;

const num = z.number().nullable().describe('null when not defined (e.g. no closed trade)');

/** What the dashboard shows of a finished run: the engine's BacktestReport, summarised. */
export const BacktestReportDto = z
  .object({
    strategyName: z.string(),
    compat: z.enum(['legacy', 'default']),
    period: z.object({ dataFrom: UnixMs.nullable(), dataTo: UnixMs.nullable(), tradingFrom: UnixMs.nullable(), firstReadyAt: UnixMs.nullable(), candles: z.number().int().nonnegative(), inputs: z.number().int().nonnegative() }),
    statistics: z.object({
      initialEquity: z.number(),
      finalEquity: z.number(),
      totalReturn: z.number(),
      maxDrawdown: z.number(),
      closedTrades: z.number().int(),
      winRate: num,
      profitFactor: num,
      expectancy: num,
      feesPaid: z.number(),
      exposure: z.number(),
    }),
    roundTrips: z.array(
      z.object({ side: z.enum(['long', 'short']), entryTime: UnixMs, entryPrice: z.number(), exitTime: UnixMs, exitPrice: z.number(), quantity: z.number(), netPnl: z.number(), fees: z.number() }),
    ),
    openPosition: z.object({ side: z.enum(['long', 'short']), quantity: z.string(), since: UnixMs }).nullable(),
    fills: z.number().int().nonnegative(),
    rejections: z.number().int().nonnegative(),
    notes: z.array(z.string()),
  })
  .meta({ id: 'BacktestReport' });
export type BacktestReportDto = z.infer<typeof BacktestReportDto>;

export const BacktestJobResponse = z
  .object({
    id: z.string(),
    status: BacktestStatusValue,
    progress: z.number().min(0).max(1).describe('share of the inputs processed (0 while queued or loading)'),
    configName: z.string(),
    strategyId: StrategyId.nullable(),
    source: z.enum(['market-log', 'file']),
    symbol: z.string(),
    from: UnixMs.nullable(),
    to: UnixMs.nullable(),
    createdAt: UnixMs,
    finishedAt: UnixMs.nullable(),
    error: z.string().nullable(),
    report: BacktestReportDto.nullable(),
  })
  .meta({ id: 'BacktestJob' });
export type BacktestJobResponse = z.infer<typeof BacktestJobResponse>;
