import fs from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, runBacktest, type TradingSetupOptions } from '@btc-research/engine';
import type { CliIo } from '../cli-io.js';
import { CommandFailure, candlesOfWindow, compatOption, iso, parseCommandArgs, runCommand, setUpStrategy, windowOptions } from '../common.js';
import { buildBacktestReport, formatLegacyNumber as py, formatWarmup, type BacktestReport } from '@btc-research/engine';
import { renderHtmlReport } from '../report/html-report.js';
import { reportChartData } from '../report/report-chart-data.js';

export const BACKTEST_USAGE =
  'usage: btc-research backtest <config.yaml> --data <klines.csv> [--from DATE] [--to DATE] [--json] [--report out.html] [--compat legacy|default] [--variant NAME] [--cash N]\n';

/**
 * `btc-research backtest <config.yaml> --data <klines.csv>`: the same TradingCore, simulated
 * exchange and ledger as paper trading, over a Binance kline CSV. --from/--to select the traded
 * period; candles before --from (as many as the warm-up needs) only warm up the indicators.
 */
export async function runBacktestCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand(io, () => backtest(argv, io));
}

async function backtest(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      data: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      compat: { type: 'string' },
      variant: { type: 'string' },
      cash: { type: 'string' },
      id: { type: 'string', default: 'backtest' },
    },
    BACKTEST_USAGE,
  );
  const configFile = args.positionals[0];
  const data = args.values.data;
  if (configFile === undefined || data === undefined || args.positionals.length > 1) throw new CommandFailure(2, BACKTEST_USAGE);
  const compat = compatOption(args.values.compat);
  const cash = args.values.cash;
  if (cash !== undefined && !(Number(cash) > 0)) throw new CommandFailure(2, `--cash must be a positive number, got "${cash}"`);
  const { from, to } = windowOptions(args.values);
  const variant = args.values.variant;
  const setupOptions: TradingSetupOptions = {
    strategyId: args.values.id,
    ...(compat ? { compat } : {}),
    ...(variant ? { variant } : {}),
    ...(cash ? { initialCash: cash } : {}),
    ...(from !== undefined ? { tradingStartTime: from } : {}),
  };
  // compat: legacy fills market orders at the next bar's open exactly (compat §6.2–6.3): no slippage
  // and no modelled spread — buildTradingSetup does both, for paper trading too
  const setup = await setUpStrategy(io, configFile, setupOptions);
  const strategy = setup.strategy;
  const { all, selected } = await candlesOfWindow(io, data, strategy, { from, to });
  if (selected.length === 0) {
    throw new CommandFailure(1, `${data}: no candles between ${iso(from)} and ${iso(to)} (the file covers ${iso(all[0]?.openTime)} → ${iso(all.at(-1)?.closeTime)})`);
  }
  const warmupMs = strategy.warmup.totalMinutes * 60_000;
  const notes: string[] = [];
  if (from !== undefined && selected[0]!.openTime > from - warmupMs) {
    const available = Math.max(0, Math.round((from - selected[0]!.openTime) / 60_000));
    notes.push(`warning: the warm-up needs ${strategy.warmup.totalMinutes} min before --from but the data has ${available} min; the first signals come later than --from`);
  }
  // runBacktest prepares compat: legacy's look-ahead from these candles itself (the same as from code)
  const started = performance.now();
  const result = runBacktest(strategy, selected, setup.coreOptions);
  const elapsedMs = performance.now() - started;
  const report = buildBacktestReport({ file: configFile, variant, strategy, candles: selected, result, tradingFrom: from });
  if (strategy.firstReadyAt === null) notes.push(`warning: the strategy never became ready: the data has ${selected.length} min, the warm-up needs ${strategy.warmup.totalMinutes} min (limited by ${strategy.warmup.limitedBy ?? '—'})`);
  for (const w of setup.warnings) notes.push(`warning: ${formatProblem(w)}`);

  if (args.values.report !== undefined) {
    const out = path.resolve(io.cwd, args.values.report);
    try {
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, await renderHtmlReport(report, reportChartData(setup.config, selected, report)));
    } catch (err) {
      throw new CommandFailure(1, `${args.values.report}: cannot write the report: ${(err as Error).message}`);
    }
  }
  if (args.values.json) {
    io.stdout.write(`${JSON.stringify({ ...report, elapsedMs: Math.round(elapsedMs), notes }, jsonNumbers, 2)}\n`);
    return 0;
  }
  for (const n of notes) io.stderr.write(`${n}\n`);
  io.stdout.write(`${formatText(report, elapsedMs, args.values.report)}\n`);
  return 0;
}

/** JSON has no Infinity/NaN: written as strings so that the output stays valid JSON. */
function jsonNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  return value;
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? '∞' : x < 0 ? '-∞' : 'n/a');
const duration = (ms: number) => {
  const h = ms / 3_600_000;
  return h >= 48 ? `${(h / 24).toFixed(1)} d` : `${h.toFixed(1)} h`;
};

export function formatText(r: BacktestReport, elapsedMs: number, reportFile?: string): string {
  const s = r.statistics;
  const L = r.legacy;
  const lines = [
    `strategy        ${r.strategy.name} (${r.strategy.file}${r.strategy.variant ? `, variant ${r.strategy.variant}` : ''})`,
    `mode            compat ${r.strategy.compat}; higher timeframes aligned by ${r.strategy.alignment}`,
    `data            ${r.period.candles} candles ${iso(r.period.dataFrom)} → ${iso(r.period.dataTo)} in ${elapsedMs.toFixed(0)} ms`,
    `trading from    ${iso(r.period.tradingFrom ?? r.period.firstReadyAt)} (${r.warmup.decidesDuringWarmup ? 'compat legacy decides from the first bar: ' : 'first bar with every indicator ready: '}${iso(r.period.firstReadyAt)})`,
    ...formatWarmup(r.warmup),
    '',
    `final equity    ${s.finalEquity.toFixed(2)} (start ${s.initialEquity.toFixed(2)})`,
    `total return    ${pct(s.totalReturn)}`,
    ...(s.ratiosUnavailable === null
      ? [
          `CAGR            ${pct(s.cagr ?? 0)}  (365-day year, over ${s.days.toFixed(2)} days)`,
          `Sharpe          ${num(s.sharpe ?? 0, 3)}  (${s.dailyReturns} daily returns × √365)`,
          `Sortino         ${num(s.sortino ?? 0, 3)}  (downside deviation)`,
          `Calmar          ${num(s.calmar ?? 0, 3)}`,
        ]
      : [`CAGR, Sharpe, Sortino, Calmar  —  (${s.ratiosUnavailable})`]),
    `max drawdown    ${pct(s.maxDrawdown)}, longest ${duration(s.maxDrawdownDurationMs)} under a peak`,
    `round trips     ${s.closedTrades} closed${r.openPosition ? `, 1 open (${r.openPosition.side} ${r.openPosition.quantity} since ${iso(r.openPosition.since)})` : ''}; ${r.fills.length} fills, ${r.rejections.length} rejected orders`,
    `profit factor   ${num(s.profitFactor, 3)}`,
    `win rate        ${pct(s.winRate)}`,
    `expectancy      ${num(s.expectancy)} per round trip`,
    `exposure        ${pct(s.exposure)}`,
    `fees            ${s.feesPaid.toFixed(2)}`,
  ];
  if (r.strategy.compat === 'legacy') {
    lines.push(
      '',
      'original statistics (compat §6.7, Backtrader definitions)',
      `  total_return ${py(L.total_return, 6)}  final_value ${py(L.final_value, 2)}  max_drawdown ${py(L.max_drawdown, 6)}`,
      `  sharpe_ratio ${py(L.sharpe_ratio, 6)} (${L.sharpe_kind})  num_trades ${L.num_trades}  win_rate ${py(L.win_rate, 4)}  profit_factor ${L.profit_factor_display}  avg_trade ${py(L.avg_trade, 2)}`,
    );
  }
  if (r.rejections.length > 0) {
    const byReason = new Map<string, number>();
    for (const x of r.rejections) byReason.set(x.reason, (byReason.get(x.reason) ?? 0) + 1);
    lines.push(`rejections      ${[...byReason].map(([k, v]) => `${k} ×${v}`).join(', ')} (first: ${r.rejections[0]!.message})`);
  }
  lines.push('', `trades (${r.roundTrips.length} round trips)`);
  if (r.roundTrips.length > 0) {
    lines.push('  #    side   entry time            entry price   exit time             exit price    quantity      net PnL      fees');
    r.roundTrips.forEach((t, i) => {
      lines.push(
        `  ${String(i + 1).padEnd(4)} ${t.side.padEnd(6)} ${iso(t.entryTime).padEnd(21)} ${t.entryPrice.toFixed(2).padStart(11)}   ${iso(t.exitTime).padEnd(21)} ${t.exitPrice.toFixed(2).padStart(11)}   ${t.quantity.toFixed(6).padStart(11)} ${t.netPnl.toFixed(2).padStart(11)} ${t.fees.toFixed(2).padStart(9)}`,
      );
    });
  }
  if (reportFile !== undefined) lines.push('', `report written to ${reportFile}`);
  return lines.join('\n');
}
