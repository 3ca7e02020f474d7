/**
 * Pure helpers for Binance's REST API: /api/v3/klines rows, /api/v3/depth bodies, the replay CSV
 * format, and how long to wait after an error response (429/418 with Retry-After, 5xx).
 */
import type { DepthSnapshot, PriceLevel } from '@btc-research/engine';
import { backoffDelay, type BackoffOptions } from '@btc-research/platform';
import { isDecimalText, type KlineValues } from './frames.js';

/** One /api/v3/klines row, values kept as the exchange's text. closeTime is exclusive. */
export interface RestKline extends KlineValues {
  quoteVolume: string;
  takerBuyVolume: string;
  takerBuyQuoteVolume: string;
}

export class BinanceBodyError extends Error {
  override readonly name = 'BinanceBodyError';
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Parses a /api/v3/klines body; throws BinanceBodyError naming the row and field. */
export function parseRestKlines(body: unknown): RestKline[] {
  if (!Array.isArray(body)) throw new BinanceBodyError('klines response is not an array');
  return body.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < 7) throw new BinanceBodyError(`klines[${i}] is not a kline array`);
    const openTime = row[0] as unknown;
    const closeTimeRaw = row[6] as unknown;
    if (typeof openTime !== 'number' || !Number.isSafeInteger(openTime) || typeof closeTimeRaw !== 'number') throw new BinanceBodyError(`klines[${i}] has a non-integer open or close time`);
    const names = ['open', 'high', 'low', 'close', 'volume'] as const;
    const values = names.map((n, j) => {
      const v = str(row[j + 1]);
      if (!isDecimalText(v)) throw new BinanceBodyError(`klines[${i}].${n} "${String(row[j + 1])}" is not a decimal`);
      return v;
    });
    return {
      openTime,
      closeTime: closeTimeRaw + 1,
      open: values[0]!,
      high: values[1]!,
      low: values[2]!,
      close: values[3]!,
      volume: values[4]!,
      quoteVolume: str(row[7]) || '0',
      trades: typeof row[8] === 'number' ? row[8] : 0,
      takerBuyVolume: str(row[9]) || '0',
      takerBuyQuoteVolume: str(row[10]) || '0',
    };
  });
}

/** A kline in Binance's 12-column CSV archive layout (the replay format); close_time inclusive as in the archives. */
export function klineToCsvRow(k: RestKline): string {
  return [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.closeTime - 1, k.quoteVolume, k.trades, k.takerBuyVolume, k.takerBuyQuoteVolume, 0].join(',');
}

/** Parses a /api/v3/depth body. */
export function parseDepthSnapshot(body: unknown): DepthSnapshot {
  if (typeof body !== 'object' || body === null) throw new BinanceBodyError('depth response is not an object');
  const b = body as Record<string, unknown>;
  if (typeof b['lastUpdateId'] !== 'number') throw new BinanceBodyError('depth response has no numeric lastUpdateId');
  const side = (name: 'bids' | 'asks'): PriceLevel[] => {
    const v = b[name];
    if (!Array.isArray(v)) throw new BinanceBodyError(`depth response ${name} is not an array`);
    return v.map((l: unknown, i) => {
      if (!Array.isArray(l) || !isDecimalText(str(l[0])) || !isDecimalText(str(l[1]))) throw new BinanceBodyError(`depth ${name}[${i}] is not a [price, qty] pair`);
      return [str(l[0]), str(l[1])] as const;
    });
  };
  return { lastUpdateId: b['lastUpdateId'], bids: side('bids'), asks: side('asks') };
}

export interface RetryDecision {
  retry: boolean;
  /** wait this long before the next request to this host (ms) */
  delayMs: number;
  /** 418: the IP is banned until the delay passes */
  banned: boolean;
}

/**
 * What Binance's REST rules ask after a response to attempt `attempt` (from 1): 429 (rate limit)
 * and 418 (IP ban) carry Retry-After in seconds and every request must wait it out (ignoring it
 * escalates 429 into a ban); 5xx and network errors (status 0) are retried with the platform's
 * backoff; other 4xx are not retried.
 */
export function retryDecision(status: number, retryAfterHeader: string | null, attempt: number, backoffOptions: BackoffOptions = { baseMs: 500, maxMs: 60_000 }): RetryDecision {
  const backoff = backoffDelay(attempt, backoffOptions);
  const retryAfter = retryAfterHeader === null ? NaN : Number(retryAfterHeader);
  const fromHeader = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : NaN;
  if (status === 429 || status === 418) return { retry: true, delayMs: Number.isNaN(fromHeader) ? backoff : fromHeader, banned: status === 418 };
  if (status >= 500 || status === 0) return { retry: true, delayMs: Number.isNaN(fromHeader) ? backoff : Math.max(fromHeader, 0), banned: false };
  return { retry: false, delayMs: 0, banned: false };
}
