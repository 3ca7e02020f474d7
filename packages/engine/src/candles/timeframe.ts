/** Timeframes the engine builds from 1m candles. Names as in the original configs. */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '1w'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
/** 1970-01-05 was the first Monday after the epoch (a Thursday); weeks open on Monday 00:00 UTC. */
const FIRST_MONDAY = 4 * DAY;

const DURATIONS: Record<Timeframe, number> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': DAY,
  '1w': 7 * DAY,
};

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

export function timeframeMs(tf: Timeframe): number {
  return DURATIONS[tf];
}

/** Open time of the candle of timeframe `tf` that contains instant `t` (UTC epoch ms). */
export function bucketOpenTime(t: number, tf: Timeframe): number {
  const ms = DURATIONS[tf];
  if (tf === '1w') return Math.floor((t - FIRST_MONDAY) / ms) * ms + FIRST_MONDAY;
  return Math.floor(t / ms) * ms;
}
