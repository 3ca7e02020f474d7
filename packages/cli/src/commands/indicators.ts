import fs from 'node:fs/promises';
import path from 'node:path';
import { strategyBars, type IndicatorValue } from '@btc-research/engine';
import type { CliIo } from '../cli-io.js';
import { CommandFailure, candlesOfWindow, compatOption, parseCommandArgs, runCommand, setUpStrategy, windowOptions } from '../common.js';

export const INDICATORS_USAGE = 'usage: btc-research indicators <config.yaml> --data <klines.csv> --out <file.csv> [--from DATE] [--to DATE] [--compat legacy|default] [--variant NAME]\n';

/** CSV cell: empty for missing (null/NaN), booleans as true/false, text quoted when it needs it. */
function cell(v: IndicatorValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * `btc-research indicators <config.yaml> --data <klines.csv> --out <file.csv>`: every column the
 * rules can read, one row per closed entry-timeframe bar, exactly as the rules see it at the bar's
 * close (higher timeframes aligned per the mode; `ready` says whether signals were allowed).
 */
export async function runIndicatorsCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand(io, () => indicators(argv, io));
}

async function indicators(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    argv,
    { data: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, compat: { type: 'string' }, variant: { type: 'string' } },
    INDICATORS_USAGE,
  );
  const configFile = args.positionals[0];
  const { data, out: outFile, variant } = args.values;
  if (configFile === undefined || data === undefined || outFile === undefined || args.positionals.length > 1) throw new CommandFailure(2, INDICATORS_USAGE);
  const compat = compatOption(args.values.compat);
  const { from, to } = windowOptions(args.values);
  const { strategy } = await setUpStrategy(io, configFile, { strategyId: 'indicators', ...(compat ? { compat } : {}), ...(variant ? { variant } : {}) });
  // candles before --from warm the indicators up; rows are written from --from on
  const { selected: candles } = await candlesOfWindow(io, data, strategy, { from, to });
  const names = strategy.columnNames;
  const rows: string[] = [['open_time', 'close_time', 'ready', ...names].join(',')];
  // the backtest path's bars (compat: legacy's look-ahead prepared from these candles, as in a backtest)
  for (const { bar, ready, columns } of strategyBars(strategy, candles)) {
    if (from !== undefined && bar.openTime < from) continue;
    rows.push([new Date(bar.openTime).toISOString(), new Date(bar.closeTime).toISOString(), ready ? 'true' : 'false', ...names.map((n) => cell(columns[n] ?? null))].join(','));
  }
  const out = path.resolve(io.cwd, outFile);
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${rows.join('\n')}\n`);
  } catch (err) {
    throw new CommandFailure(1, `${outFile}: cannot write: ${(err as Error).message}`);
  }
  io.stdout.write(
    `${outFile}: ${rows.length - 1} ${strategy.entryTimeframe} bars × ${names.length} columns (compat ${strategy.compat}, higher timeframes aligned by ${strategy.alignment}; warm-up ${strategy.warmup.totalMinutes} min, first ready bar closes ${strategy.firstReadyAt === null ? 'never' : new Date(strategy.firstReadyAt).toISOString()})\n`,
  );
  return 0;
}
