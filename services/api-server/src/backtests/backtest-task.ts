import type { BacktestReportDto } from '@btc-research/contracts';
import { buildBacktestReport, buildTradingSetup, decodeRecordedInput, formatProblem, runBacktest, type Candle, type CoreInput } from '@btc-research/engine';
import type { MarketEventRecord } from '@btc-research/platform';

/** One backtest as the job process receives it: the config and the inputs of its window. */
export interface BacktestTask {
  yaml: string;
  configName: string;
  /** market-log records (source "market-log") … */
  records?: MarketEventRecord[];
  /** … or 1m candles (source "file") */
  candles?: Candle[];
  /** first traded candle; earlier inputs warm the indicators up */
  from: number | null;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * Runs a backtest the way the CLI does (engine buildTradingSetup → runBacktest → buildBacktestReport)
 * over recorded inputs decoded as the paper-trader decodes its market log. `onProgress` gets the share
 * of inputs processed. Throws with the config's problems when it does not compile.
 */
export function runBacktestTask(task: BacktestTask, onProgress: (share: number) => void): BacktestReportDto {
  const setup = buildTradingSetup(task.yaml, task.configName, { strategyId: 'backtest', ...(task.from !== null ? { tradingStartTime: task.from } : {}) });
  if (!setup.ok) throw new Error(`the config has problems: ${setup.errors.map(formatProblem).join('; ')}`);
  const inputs: CoreInput[] = task.records ? task.records.map((r) => decodeRecordedInput(r)) : (task.candles ?? []).map((candle) => ({ kind: 'candle' as const, candle }));
  const candles = inputs.flatMap((i) => (i.kind === 'candle' ? [i.candle] : []));
  const notes: string[] = [];
  if (candles.length === 0) throw new Error('no candles in the window: nothing to backtest');
  const step = Math.max(1, Math.floor(inputs.length / 50));
  // an iterable (not a one-shot generator): a compat: legacy config reads its inputs twice
  const watched: Iterable<CoreInput> = {
    *[Symbol.iterator]() {
      for (let i = 0; i < inputs.length; i++) {
        if (i % step === 0) onProgress(i / inputs.length);
        yield inputs[i]!;
      }
    },
  };
  const result = runBacktest(setup.strategy, watched, setup.coreOptions);
  onProgress(1);
  const report = buildBacktestReport({ file: task.configName, strategy: setup.strategy, candles, result, ...(task.from !== null ? { tradingFrom: task.from } : {}) });
  if (setup.strategy.firstReadyAt === null) notes.push(`the strategy never became ready: ${candles.length} min of data, the warm-up needs ${setup.strategy.warmup.totalMinutes} min`);
  for (const w of setup.warnings) notes.push(formatProblem(w));
  const s = report.statistics;
  return {
    strategyName: report.strategy.name,
    compat: report.strategy.compat,
    period: { ...report.period, inputs: inputs.length },
    statistics: {
      initialEquity: s.initialEquity,
      finalEquity: s.finalEquity,
      totalReturn: s.totalReturn,
      maxDrawdown: s.maxDrawdown,
      closedTrades: s.closedTrades,
      winRate: s.closedTrades > 0 ? finite(s.winRate) : null,
      profitFactor: s.closedTrades > 0 ? finite(s.profitFactor) : null,
      expectancy: s.closedTrades > 0 ? finite(s.expectancy) : null,
      feesPaid: s.feesPaid,
      exposure: s.exposure,
    },
    roundTrips: report.roundTrips.map((t) => ({ side: t.side, entryTime: t.entryTime, entryPrice: t.entryPrice, exitTime: t.exitTime, exitPrice: t.exitPrice, quantity: t.quantity, netPnl: t.netPnl, fees: t.fees })),
    openPosition: report.openPosition,
    fills: report.fills.length,
    rejections: report.rejections.length,
    notes,
  };
}
