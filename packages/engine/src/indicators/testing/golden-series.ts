import type { Candle } from '../../model/candle.js';

/**
 * The synthetic hourly series of compat §2.8, for which the original's outputs are tabulated there:
 * C_t = 100 + 10·sin(t/3) + 0.5·t; O_t = C_{t−1} (O_0 = 100); H_t = max(O,C) + 1 + (t mod 3);
 * L_t = min(O,C) − 1 − (t mod 2); V_t = 10 + (t mod 5).
 */
export function goldenSeries(count = 30): Candle[] {
  const out: Candle[] = [];
  let prevClose = 100;
  for (let t = 0; t < count; t++) {
    const close = 100 + 10 * Math.sin(t / 3) + 0.5 * t;
    const open = t === 0 ? 100 : prevClose;
    const high = Math.max(open, close) + 1 + (t % 3);
    const low = Math.min(open, close) - 1 - (t % 2);
    const openTime = 1_704_067_200_000 + t * 3_600_000; // from 2024-01-01T00:00:00Z
    out.push({ openTime, closeTime: openTime + 3_600_000, open, high, low, close, volume: 10 + (t % 5) });
    prevClose = close;
  }
  return out;
}
