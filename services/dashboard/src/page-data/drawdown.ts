import type { EquityResponse } from '@btc-research/contracts';

export interface DrawdownPoint {
  time: number;
  /** percent below the running peak of the equity curve (0 or negative) */
  drawdownPct: number;
}

/** The drawdown curve of the API's equity curve (public/strategy.js extends it the same way live). */
export function drawdownOf(points: EquityResponse['items']): DrawdownPoint[] {
  let peak = -Infinity;
  return points.map((p) => {
    const equity = Number(p.equity);
    peak = Math.max(peak, equity);
    const dd = peak > 0 ? ((equity - peak) / peak) * 100 : 0;
    return { time: p.time, drawdownPct: Math.round(dd * 10_000) / 10_000 };
  });
}
