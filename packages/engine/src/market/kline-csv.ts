import type { Candle } from '../model/candle.js';

export class KlineCsvError extends Error {
  override readonly name = 'KlineCsvError';
  readonly code = 'KLINE_CSV_INVALID';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const HEADER_WORDS = /open_time|open|timestamp|date/i;

/**
 * Parses one line of a Binance kline CSV: the 12-column archive / REST layout
 * (open_time,open,high,low,close,volume,close_time,…) or the 6-column layout
 * (open_time,open,high,low,close,volume). Times in ms (µs values from newer archives are scaled).
 * Returns null for a header or blank line. closeTime is exclusive: openTime + 60 000 for 1m.
 */
export function parseKlineCsvLine(text: string, lineNumber: number, intervalMs = 60_000): Candle | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const cols = trimmed.split(',');
  if (lineNumber === 1 && HEADER_WORDS.test(cols[0] ?? '')) return null;
  if (cols.length < 6) throw new KlineCsvError(`expected at least 6 columns (open_time,open,high,low,close,volume), found ${cols.length}`, lineNumber);
  let openTime = Number(cols[0]);
  if (!Number.isInteger(openTime) || openTime < 0) throw new KlineCsvError(`open_time "${cols[0]}" is not an epoch timestamp`, lineNumber);
  if (openTime > 1e14) openTime = Math.floor(openTime / 1000); // microseconds (data.binance.vision since 2025)
  const [open, high, low, close, volume] = [cols[1], cols[2], cols[3], cols[4], cols[5]].map(Number) as [number, number, number, number, number];
  for (const [name, v] of [['open', open], ['high', high], ['low', low], ['close', close], ['volume', volume]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new KlineCsvError(`${name} "${String(v)}" is not a non-negative number`, lineNumber);
  }
  if (high < Math.max(open, close, low) || low > Math.min(open, close)) throw new KlineCsvError('high/low do not contain open and close', lineNumber);
  return { openTime, closeTime: openTime + intervalMs, open, high, low, close, volume };
}

/** Parses a whole kline CSV text; candles must be in ascending open-time order (duplicates dropped). */
export function parseKlineCsv(text: string, intervalMs = 60_000): Candle[] {
  const out: Candle[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const c = parseKlineCsvLine(lines[i]!, i + 1, intervalMs);
    if (c === null) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined) {
      if (c.openTime === prev.openTime) continue;
      if (c.openTime < prev.openTime) throw new KlineCsvError(`open_time ${c.openTime} goes back in time (previous ${prev.openTime})`, i + 1);
    }
    out.push(c);
  }
  return out;
}
