import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KlineCsvError, buildTradingSetup, formatProblem, parseKlineCsv, timeframeMs, type Candle, type CompatMode, type Timeframe, type TradingSetup, type TradingSetupOptions } from '@btc-research/engine';
import type { CliIo } from './cli-io.js';

/** `YYYY-MM-DD` (00:00 UTC), an ISO time, or epoch milliseconds. */
export function parseDateOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(/T/.test(value) ? value : `${value}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new Error(`--${name} "${value}" is not a date (YYYY-MM-DD, ISO time or epoch ms)`);
  return ms;
}

/** Smallest gap between the first open times of a kline CSV: the file's candle interval. */
export function detectIntervalMs(text: string): number {
  const times: number[] = [];
  let start = 0;
  for (let n = 0; n < 200 && start < text.length; n++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const t = Number(line.slice(0, line.indexOf(',')));
    if (Number.isInteger(t) && t > 0) times.push(t > 1e14 ? Math.floor(t / 1000) : t);
  }
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : 60_000;
}

export type LoadedCandles = { ok: true; candles: Candle[]; intervalMs: number } | { ok: false; message: string };

/**
 * Reads a Binance kline CSV (the 12-column archive/REST layout or the 6-column layout, header
 * optional) and checks that its interval is fine enough for every timeframe the strategy reads.
 */
export async function loadCandles(file: string, cwd: string, timeframes: readonly Timeframe[]): Promise<LoadedCandles> {
  let text: string;
  try {
    text = await fs.readFile(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    return { ok: false, message: `${file}: cannot read: ${(err as Error).message}` };
  }
  const intervalMs = detectIntervalMs(text);
  const finest = Math.min(...timeframes.map(timeframeMs));
  if (intervalMs > finest || finest % intervalMs !== 0) {
    return {
      ok: false,
      message: `${file}: candles are ${intervalMs / 60_000} min apart, but the strategy reads ${timeframes.join(', ')}; it needs candles of ${finest / 60_000} min or a divisor of it (1m works for every strategy)`,
    };
  }
  try {
    return { ok: true, candles: parseKlineCsv(text, intervalMs), intervalMs };
  } catch (err) {
    return { ok: false, message: `${file}: ${err instanceof KlineCsvError ? err.message : (err as Error).message}` };
  }
}

export const iso = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : new Date(t).toISOString().replace('.000Z', 'Z'));

/** A command's early end: the message goes to stderr and `exitCode` is the status (2 usage, 1 input). */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(
    readonly exitCode: 1 | 2,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a command's body; a CommandFailure it throws is reported the way every command reports one. */
export async function runCommand(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof CommandFailure)) throw err;
    io.stderr.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
    return err.exitCode;
  }
}

/** `parseArgs` whose errors end the command with the usage text (exit 2). */
export function parseCommandArgs<const T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (err) {
    throw new CommandFailure(2, `${(err as Error).message}\n${usage}`);
  }
}

/** `--compat legacy|default`. */
export function compatOption(value: string | undefined): CompatMode | undefined {
  if (value !== undefined && value !== 'legacy' && value !== 'default') throw new CommandFailure(2, `--compat must be "legacy" or "default", got "${value}"`);
  return value;
}

/** `--from` / `--to`, the second after the first. */
export function windowOptions(values: { from?: string | undefined; to?: string | undefined }): { from: number | undefined; to: number | undefined } {
  let from: number | undefined;
  let to: number | undefined;
  try {
    from = parseDateOption(values.from, 'from');
    to = parseDateOption(values.to, 'to');
  } catch (err) {
    throw new CommandFailure(2, (err as Error).message);
  }
  if (from !== undefined && to !== undefined && to <= from) throw new CommandFailure(2, `--to (${iso(to)}) must be after --from (${iso(from)})`);
  return { from, to };
}

/** Reads a strategy YAML and sets it up for trading; its problems end the command (exit 1). */
export async function setUpStrategy(io: CliIo, configFile: string, options: TradingSetupOptions): Promise<Extract<TradingSetup, { ok: true }>> {
  let yaml: string;
  try {
    yaml = await fs.readFile(path.resolve(io.cwd, configFile), 'utf8');
  } catch (err) {
    throw new CommandFailure(1, `${configFile}: cannot read: ${(err as Error).message}`);
  }
  const setup = buildTradingSetup(yaml, configFile, options);
  if (!setup.ok) throw new CommandFailure(1, setup.errors.map(formatProblem).join('\n'));
  return setup;
}

/** The candles of --from/--to from a kline CSV, with as many before --from as the warm-up needs. */
export async function candlesOfWindow(io: CliIo, dataFile: string, strategy: { timeframes: readonly Timeframe[]; warmup: { totalMinutes: number } }, window: { from: number | undefined; to: number | undefined }): Promise<{ all: Candle[]; selected: Candle[] }> {
  const loaded = await loadCandles(dataFile, io.cwd, strategy.timeframes);
  if (!loaded.ok) throw new CommandFailure(1, loaded.message);
  const { from, to } = window;
  const warmupMs = strategy.warmup.totalMinutes * 60_000;
  const selected = loaded.candles.filter((c) => (from === undefined || c.openTime >= from - warmupMs) && (to === undefined || c.closeTime <= to));
  return { all: loaded.candles, selected };
}
