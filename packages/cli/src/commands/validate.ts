import fs from 'node:fs/promises';
import path from 'node:path';
import { buildTradingSetup, formatProblem, type CompatMode, type ConfigProblem, type TradingSetup } from '@btc-research/engine';
import type { CliIo } from '../cli-io.js';
import { CommandFailure, compatOption, parseCommandArgs, runCommand } from '../common.js';
import { formatWarmup, type WarmupReport } from '@btc-research/engine';

export const VALIDATE_USAGE = 'usage: btc-research validate <config.yaml> [...more.yaml] [--strict] [--compat legacy|default] [--variant NAME] [--json]\n';

/** What each error code means in terms of a feature the file needs (shown in the summary line). */
const FEATURE: Record<string, string> = {
  NOT_ENGINE_FORMAT: 'not the btc_research engine format',
  MISSING_KEY: 'required keys missing',
  INVALID_TYPE: 'a key has the wrong type',
  UNKNOWN_NAME: 'rules read names that are not columns (the original silently never trades)',
  INVALID_INDICATOR_PARAMS: "indicator parameters the indicator does not accept (the original aborts the run too)",
  UNKNOWN_INDICATOR_TYPE: 'indicator type that is not implemented',
  LEGACY_UNKNOWN_INDICATOR_TYPE: 'indicator type the original did not have (compat: legacy reproduces its failure)',
  UNKNOWN_TIMEFRAME: 'timeframe that is not supported',
  DUPLICATE_COLUMN: 'two indicators produce the same column',
  UNKNOWN_VARIANT: 'the selected variant does not exist',
};

export interface ValidateResult {
  file: string;
  ok: boolean;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
  /** features the file uses that this engine reads but does not apply, or applies differently in the chosen mode */
  notes: string[];
  summary?: {
    name: string;
    symbol: string;
    exchange: string;
    entryTimeframe: string;
    timeframes: readonly string[];
    compat: CompatMode;
    indicators: number;
    columns: number;
    rules: Record<string, { count: number; mode: string }>;
    warmup: WarmupReport;
  };
}

/** Validates one YAML text the way the backtester and the paper trader will load it. */
export function validateText(text: string, file: string, options: { compat?: CompatMode; variant?: string } = {}): ValidateResult {
  const setup: TradingSetup = buildTradingSetup(text, file, { strategyId: 'validate', ...(options.compat ? { compat: options.compat } : {}), ...(options.variant ? { variant: options.variant } : {}) });
  if (!setup.ok) return { file, ok: false, errors: setup.errors, warnings: setup.warnings, notes: [] };
  const { config, strategy } = setup;
  const lists = strategy.ruleLists();
  const notes: string[] = [];
  if (config.equityProtection?.enabled) {
    const ep = config.equityProtection;
    const smoothing = ep.smoothingWindow > 1 ? `, averaged over ${Math.floor(ep.smoothingWindow)} values` : '';
    notes.push(
      strategy.compat === 'legacy'
        ? `equity_protection.enabled: at a ${ep.drawdownThreshold * 100} % drawdown from the equity peak${smoothing} the position is closed and the whole strategy is suspended, exits included, until the drawdown falls back under the threshold; flat, that practically never happens (compat §6.6, as the original)`
        : `equity_protection.enabled: at a ${ep.drawdownThreshold * 100} % drawdown from the equity peak${smoothing} the position is closed and new entries are blocked (exits still run) until the drawdown falls back under the threshold (compat §11 #11)`,
    );
  }
  if (strategy.compat === 'legacy') {
    if (lists.entry_long.rules.length > 0 && lists.entry_short.rules.length > 0) {
      notes.push('compat: legacy: when entry_long and entry_short pass on the same bar both orders are submitted, as in the original (compat §6.1): they fill at the next open, net to zero and pay two commissions');
    }
    if (strategy.timeframes.length > 1) notes.push('compat: legacy: higher timeframes are read by open time (look-ahead, compat §3.3) in backtests; paper trading falls back to close-time alignment');
  }
  if (Object.keys(config.variants).length > 0 && config.selectedVariant === undefined) {
    notes.push(`variants ${Object.keys(config.variants).join(', ')} are not applied unless selected with --variant NAME (the original never applied them)`);
  }
  return {
    file,
    ok: true,
    errors: [],
    warnings: [...setup.warnings, ...strategy.ruleWarnings],
    notes,
    summary: {
      name: strategy.name,
      symbol: config.symbol,
      exchange: config.exchange,
      entryTimeframe: strategy.entryTimeframe,
      timeframes: strategy.timeframes,
      compat: strategy.compat,
      indicators: config.indicators.length,
      columns: strategy.columnNames.length,
      rules: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, { count: v.rules.length, mode: v.mode }])),
      warmup: strategy.warmup,
    },
  };
}

function summaryLine(r: ValidateResult): string {
  if (!r.ok) {
    const counts = new Map<string, number>();
    for (const e of r.errors) counts.set(e.code, (counts.get(e.code) ?? 0) + 1);
    const parts = [...counts].map(([code, n]) => `${code} ×${n}${FEATURE[code] ? ` (${FEATURE[code]})` : ''}`);
    return `${r.file}: INVALID — ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}: ${parts.join('; ')}`;
  }
  const s = r.summary!;
  const rules = Object.entries(s.rules)
    .map(([k, v]) => `${k} ${v.count}${v.count > 1 ? ` (${v.mode})` : ''}`)
    .join(', ');
  return [
    `${r.file}: OK — "${s.name}", ${s.symbol} on ${s.exchange}, entry ${s.entryTimeframe}, timeframes ${s.timeframes.join(', ')}, compat ${s.compat}`,
    `  ${s.indicators} indicators, ${s.columns} columns; rules: ${rules}`,
    ...formatWarmup(s.warmup).map((l) => `  ${l}`),
  ].join('\n');
}

/** `btc-research validate <config.yaml>…`: every problem with file, line and column; exit 0 when all are valid, 1 otherwise. */
export async function runValidateCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand(io, () => validate(argv, io));
}

async function validate(argv: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { strict: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, compat: { type: 'string' }, variant: { type: 'string' } },
    VALIDATE_USAGE,
  );
  if (parsed.positionals.length === 0) throw new CommandFailure(2, VALIDATE_USAGE);
  const compat = compatOption(parsed.values.compat);
  const results: ValidateResult[] = [];
  for (const file of parsed.positionals) {
    let text: string;
    try {
      text = await fs.readFile(path.resolve(io.cwd, file), 'utf8');
    } catch (err) {
      results.push({ file, ok: false, errors: [{ code: 'UNREADABLE', message: `cannot read: ${(err as Error).message}`, file, line: 0, column: 0, path: '' }], warnings: [], notes: [] });
      continue;
    }
    let r = validateText(text, file, { ...(compat ? { compat } : {}), ...(parsed.values.variant ? { variant: parsed.values.variant } : {}) });
    // --strict: warnings (ignored keys, lint) fail the file too
    if (parsed.values.strict && r.ok && r.warnings.length > 0) r = { ...r, ok: false, errors: r.warnings, warnings: [] };
    results.push(r);
  }
  const failed = results.filter((r) => !r.ok).length;
  if (parsed.values.json) {
    io.stdout.write(`${JSON.stringify({ ok: failed === 0, valid: results.length - failed, invalid: failed, results }, null, 2)}\n`);
    return failed > 0 ? 1 : 0;
  }
  for (const r of results) {
    const out = r.ok ? io.stdout : io.stderr;
    for (const p of r.errors) io.stderr.write(`${p.code === 'UNREADABLE' ? `${r.file}: ${p.message}` : formatProblem(p)}\n`);
    for (const p of r.warnings) out.write(`warning: ${formatProblem(p)}\n`);
    for (const n of r.notes) out.write(`note: ${r.file}: ${n}\n`);
    out.write(`${summaryLine(r)}\n`);
  }
  if (results.length > 1) io.stdout.write(`${results.length} files: ${results.length - failed} valid, ${failed} invalid\n`);
  return failed > 0 ? 1 : 0;
}
