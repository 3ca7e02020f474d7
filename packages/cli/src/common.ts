import fs from 'node:fs/promises';
import path from 'node:path';
import { KlineCsvError, parseKlineCsv, timeframeMs, type Candle, type Timeframe } from '@btc-research/engine';

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
