import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTradingSetup, formatProblem, strategyBars, type Candle, type IndicatorValue } from '@btc-research/engine';
import type { CliIo } from '../cli-io.js';
import { loadCandles, parseDateOption } from '../common.js';

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
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { data: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, compat: { type: 'string' }, variant: { type: 'string' } },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${INDICATORS_USAGE}`);
    return 2;
  }
  const configFile = args.positionals[0];
  if (configFile === undefined || args.values.data === undefined || args.values.out === undefined || args.positionals.length > 1) {
    io.stderr.write(INDICATORS_USAGE);
    return 2;
  }
  const compat = args.values.compat;
  if (compat !== undefined && compat !== 'legacy' && compat !== 'default') {
    io.stderr.write(`--compat must be "legacy" or "default", got "${compat}"\n`);
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
  let yaml: string;
  try {
    yaml = await fs.readFile(path.resolve(io.cwd, configFile), 'utf8');
  } catch (err) {
    io.stderr.write(`${configFile}: cannot read: ${(err as Error).message}\n`);
    return 1;
  }
  const setup = buildTradingSetup(yaml, configFile, { strategyId: 'indicators', ...(compat ? { compat } : {}), ...(args.values.variant ? { variant: args.values.variant } : {}) });
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
  // candles before --from warm the indicators up; rows are written from --from on
  const warmupMs = strategy.warmup.totalMinutes * 60_000;
  const candles: Candle[] = loaded.candles.filter((c) => (from === undefined || c.openTime >= from - warmupMs) && (to === undefined || c.closeTime <= to));
  const names = strategy.columnNames;
  const rows: string[] = [['open_time', 'close_time', 'ready', ...names].join(',')];
  // the backtest path's bars (compat: legacy's look-ahead prepared from these candles, as in a backtest)
  for (const { bar, ready, columns } of strategyBars(strategy, candles)) {
    if (from !== undefined && bar.openTime < from) continue;
    rows.push([new Date(bar.openTime).toISOString(), new Date(bar.closeTime).toISOString(), ready ? 'true' : 'false', ...names.map((n) => cell(columns[n] ?? null))].join(','));
  }
  const out = path.resolve(io.cwd, args.values.out);
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, `${rows.join('\n')}\n`);
  } catch (err) {
    io.stderr.write(`${args.values.out}: cannot write: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(
    `${args.values.out}: ${rows.length - 1} ${strategy.entryTimeframe} bars × ${names.length} columns (compat ${strategy.compat}, higher timeframes aligned by ${strategy.alignment}; warm-up ${strategy.warmup.totalMinutes} min, first ready bar closes ${strategy.firstReadyAt === null ? 'never' : new Date(strategy.firstReadyAt).toISOString()})\n`,
  );
  return 0;
}
