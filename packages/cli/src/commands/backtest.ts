import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTradingSetup, formatProblem, runBacktest, type Candle, type TradingSetupOptions } from '@btc-research/engine';
import type { CliIo } from '../cli-io.js';
import { iso, loadCandles, parseDateOption } from '../common.js';
import { buildBacktestReport, formatLegacyNumber as py, formatWarmup, type BacktestReport } from '@btc-research/engine';
import { renderHtmlReport } from '../report/html-report.js';

export const BACKTEST_USAGE =
  'usage: btc-research backtest <config.yaml> --data <klines.csv> [--from DATE] [--to DATE] [--json] [--report out.html] [--compat legacy|default] [--variant NAME] [--cash N]\n';

/**
 * `btc-research backtest <config.yaml> --data <klines.csv>`: the same TradingCore, simulated
 * exchange and ledger as paper trading, over a Binance kline CSV. --from/--to select the traded
 * period; candles before --from (as many as the warm-up needs) only warm up the indicators.
 */
export async function runBacktestCommand(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
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
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${BACKTEST_USAGE}`);
    return 2;
  }
  const configFile = args.positionals[0];
  if (configFile === undefined || args.values.data === undefined || args.positionals.length > 1) {
    io.stderr.write(BACKTEST_USAGE);
    return 2;
  }
  const compat = args.values.compat;
  if (compat !== undefined && compat !== 'legacy' && compat !== 'default') {
    io.stderr.write(`--compat must be "legacy" or "default", got "${compat}"\n`);
    return 2;
  }
  const cash = args.values.cash;
  if (cash !== undefined && !(Number(cash) > 0)) {
    io.stderr.write(`--cash must be a positive number, got "${cash}"\n`);
    return 2;
  }
  let from: number | undefined;
  let to: number | undefined;
  try {
    from = parseDateOption(args.values.from, 'from');
    to = parseDateOption(args.values.to, 'to');
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (from !== undefined && to !== undefined && to <= from) {
    io.stderr.write(`--to (${iso(to)}) must be after --from (${iso(from)})\n`);
    return 2;
  }
  let yaml: string;
  try {
    yaml = await fs.readFile(path.resolve(io.cwd, configFile), 'utf8');
  } catch (err) {
    io.stderr.write(`${configFile}: cannot read: ${(err as Error).message}\n`);
    return 1;
  }
  const setupOptions: TradingSetupOptions = {
    strategyId: args.values.id ?? 'backtest',
    ...(compat ? { compat } : {}),
    ...(args.values.variant ? { variant: args.values.variant } : {}),
    ...(cash ? { initialCash: cash } : {}),
    ...(from !== undefined ? { tradingStartTime: from } : {}),
  };
  // compat: legacy fills market orders at the next bar's open exactly (compat §6.2–6.3): no slippage
  // and no modelled spread — buildTradingSetup does both, for paper trading too
  const setup = buildTradingSetup(yaml, configFile, setupOptions);
  if (!setup.ok) {
    for (const p of setup.errors) io.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  const strategy = setup.strategy;
  const loaded = await loadCandles(args.values.data, io.cwd, strategy.timeframes);
  if (!loaded.ok) {
    io.stderr.write(`${loaded.message}\n`);
    return 1;
  }
  const warmupMs = strategy.warmup.totalMinutes * 60_000;
  const selected: Candle[] = loaded.candles.filter((c) => (from === undefined || c.openTime >= from - warmupMs) && (to === undefined || c.closeTime <= to));
  if (selected.length === 0) {
    io.stderr.write(`${args.values.data}: no candles between ${iso(from)} and ${iso(to)} (the file covers ${iso(loaded.candles[0]?.openTime)} → ${iso(loaded.candles.at(-1)?.closeTime)})\n`);
    return 1;
  }
  const notes: string[] = [];
  if (from !== undefined && selected[0]!.openTime > from - warmupMs) {
    const available = Math.max(0, Math.round((from - selected[0]!.openTime) / 60_000));
    notes.push(`warning: the warm-up needs ${strategy.warmup.totalMinutes} min before --from but the data has ${available} min; the first signals come later than --from`);
  }
  // runBacktest prepares compat: legacy's look-ahead from these candles itself (the same as from code)
  const started = performance.now();
  const result = runBacktest(strategy, selected, setup.coreOptions);
  const elapsedMs = performance.now() - started;
  const report = buildBacktestReport({ file: configFile, variant: args.values.variant, strategy, candles: selected, result, tradingFrom: from });
  if (strategy.firstReadyAt === null) notes.push(`warning: the strategy never became ready: the data has ${selected.length} min, the warm-up needs ${strategy.warmup.totalMinutes} min (limited by ${strategy.warmup.limitedBy ?? '—'})`);
  for (const w of setup.warnings) notes.push(`warning: ${formatProblem(w)}`);

  if (args.values.report !== undefined) {
    const out = path.resolve(io.cwd, args.values.report);
    try {
      await fs.mkdir(path.dirname(out), { recursive: true });
      await fs.writeFile(out, await renderHtmlReport(report));
    } catch (err) {
      io.stderr.write(`${args.values.report}: cannot write the report: ${(err as Error).message}\n`);
      return 1;
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
    `CAGR            ${pct(s.cagr)}  (365-day year, over ${s.days.toFixed(2)} days)`,
    `Sharpe          ${num(s.sharpe, 3)}  (daily returns × √365)`,
    `Sortino         ${num(s.sortino, 3)}`,
    `Calmar          ${num(s.calmar, 3)}`,
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
