import type { Candle } from '../../model/candle.js';

/** mulberry32: a tiny deterministic PRNG for test data (never used by production code). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededCandleOptions {
  readonly count: number;
  readonly seed: number;
  readonly startPrice?: number;
  /** Standard deviation of log returns per candle. */
  readonly volatility?: number;
  readonly timeframeMs?: number;
  readonly startTime?: number;
  /** Probability that a candle repeats the previous close exactly (flat candles exercise ties). */
  readonly flatProbability?: number;
  /** Probability of a zero-volume candle. */
  readonly zeroVolumeProbability?: number;
}

/**
 * Seeded synthetic OHLCV: a geometric random walk with wicks, gaps between close and next open,
 * occasional flat and zero-volume candles. Prices are rounded to 0.01 like a real tick size.
 */
export function seededCandles(options: SeededCandleOptions): Candle[] {
  const {
    count,
    seed,
    startPrice = 30_000,
    volatility = 0.01,
    timeframeMs = 60_000,
    startTime = 1_704_067_200_000, // 2024-01-01T00:00:00Z
    flatProbability = 0.02,
    zeroVolumeProbability = 0.01,
  } = options;
  const rnd = mulberry32(seed);
  const gauss = (): number => {
    const u = Math.max(rnd(), 1e-12);
    const v = rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const round = (x: number): number => Math.round(x * 100) / 100;
  const candles: Candle[] = [];
  let prevClose = startPrice;
  for (let i = 0; i < count; i++) {
    const open = round(prevClose * (1 + 0.001 * volatility * gauss()));
    const close = rnd() < flatProbability ? open : round(open * Math.exp(volatility * gauss()));
    const high = round(Math.max(open, close) * (1 + Math.abs(gauss()) * volatility * 0.5));
    const low = round(Math.min(open, close) * (1 - Math.abs(gauss()) * volatility * 0.5));
    const volume = rnd() < zeroVolumeProbability ? 0 : Math.round(Math.exp(2 + gauss()) * 1e6) / 1e6;
    const openTime = startTime + i * timeframeMs;
    candles.push({ openTime, closeTime: openTime + timeframeMs, open, high, low, close, volume });
    prevClose = close;
  }
  return candles;
}
