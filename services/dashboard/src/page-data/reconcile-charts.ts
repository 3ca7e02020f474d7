import type { ReconcileReportDto } from '@btc-research/contracts';

/** The drawing area of the reconciliation page's SVG charts (viewBox units). */
export const CHART = { width: 640, height: 220, left: 64, right: 8, top: 8, bottom: 24 } as const;

export interface LineSeries {
  name: string;
  /** CSS class of the line (its colour) */
  cls: string;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface DrawnSeries {
  name: string;
  cls: string;
  /** SVG path data */
  d: string;
}

export interface Scale {
  x: (t: number) => number;
  y: (v: number) => number;
  /** y gridlines with their labels */
  yTicks: Array<{ y: number; label: string }>;
  /** first and last time, for the x labels */
  xRange: [number, number];
}

/** A linear scale over every point of the series (a flat series gets a band around its value). */
export function scaleOf(series: readonly LineSeries[]): Scale {
  const all = series.flatMap((s) => s.points);
  const times = all.map((p) => p[0]);
  const values = all.map((p) => p[1]);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const { width, height, left, right, top, bottom } = CHART;
  const x = (t: number) => left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * (width - left - right) : 0);
  const y = (v: number) => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + f * (hi - lo);
    return { y: round(y(v)), label: v.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 }) };
  });
  return { x, y, yTicks, xRange: [t0, t1] };
}

const round = (n: number) => Math.round(n * 10) / 10;

export function drawLines(series: readonly LineSeries[], scale: Scale): DrawnSeries[] {
  return series.map((s) => ({ name: s.name, cls: s.cls, d: s.points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${round(scale.x(t))},${round(scale.y(v))}`).join('') }));
}

export interface TradeMarker {
  x: number;
  y: number;
  /** paper or backtest, entry or exit */
  who: 'paper' | 'backtest';
  kind: 'entry' | 'exit';
  side: 'long' | 'short';
  label: string;
}

/** Entries and exits of the round trips on the price line. */
export function tradeMarkers(report: ReconcileReportDto, scale: Scale): TradeMarker[] {
  const trips = [
    ...report.candleBacktest.pairing.paired.flatMap((p) => [['paper', p.paper] as const, ['backtest', p.backtest] as const]),
    ...report.candleBacktest.pairing.extra.map((t) => ['paper', t] as const),
    ...report.candleBacktest.pairing.missed.map((t) => ['backtest', t] as const),
  ];
  return trips.flatMap(([who, t]) => [
    { x: round(scale.x(t.entryTime)), y: round(scale.y(Number(t.entryPrice))), who, kind: 'entry' as const, side: t.side, label: `${who} ${t.side} entry ${t.entryPrice}` },
    { x: round(scale.x(t.exitTime)), y: round(scale.y(Number(t.exitPrice))), who, kind: 'exit' as const, side: t.side, label: `${who} ${t.side} exit ${t.exitPrice}` },
  ]);
}

export interface GapBar {
  cause: string;
  value: string;
  /** bar from the zero line: x and width in viewBox units (width ≥ 0) */
  x: number;
  width: number;
  sign: 'pos' | 'neg' | 'zero';
}

/** The PnL gap by cause as horizontal bars around a zero line. */
export function gapBars(attribution: ReconcileReportDto['candleBacktest']['attribution']): { bars: GapBar[]; zeroX: number } {
  const entries: Array<[string, string]> = [
    ['latency', attribution.latency],
    ['spread', attribution.spread],
    ['slippage', attribution.slippage],
    ['book depth & partial fills', attribution.bookDepth],
    ['candle-path assumptions', attribution.candlePath],
    ['unexplained', attribution.unexplained],
  ];
  const max = Math.max(1e-9, ...entries.map(([, v]) => Math.abs(Number(v))));
  const half = (CHART.width - 200) / 2;
  const zeroX = 200 + half;
  const bars = entries.map(([cause, value]) => {
    const n = Number(value);
    const w = round((Math.abs(n) / max) * (half - 8));
    return { cause, value, x: n < 0 ? round(zeroX - w) : zeroX, width: w, sign: n > 0 ? ('pos' as const) : n < 0 ? ('neg' as const) : ('zero' as const) };
  });
  return { bars, zeroX };
}

export interface DrawnCandle {
  /** left edge and width of the body */
  x: number;
  width: number;
  /** wick x, and the top/bottom of wick and body (SVG y grows downwards) */
  wickX: number;
  high: number;
  low: number;
  bodyTop: number;
  bodyHeight: number;
  up: boolean;
  label: string;
}

/** The series a candle chart is scaled to: every high and low at its candle's times. */
export function candleExtent(candles: ReconcileReportDto['candles']): LineSeries {
  return { name: 'candles', cls: 'candles', points: candles.flatMap(([openTime, , high, low, , closeTime]) => [[openTime, high] as const, [closeTime, low] as const]) };
}

/** Candlesticks in viewBox units. */
export function drawCandles(candles: ReconcileReportDto['candles'], scale: Scale): DrawnCandle[] {
  return candles.map(([openTime, open, high, low, close, closeTime]) => {
    const x0 = scale.x(openTime);
    const x1 = scale.x(closeTime);
    const gap = Math.min(1, (x1 - x0) * 0.2);
    const top = scale.y(Math.max(open, close));
    const bottom = scale.y(Math.min(open, close));
    return {
      x: round(x0 + gap / 2),
      width: Math.max(0.5, round(x1 - x0 - gap)),
      wickX: round((x0 + x1) / 2),
      high: round(scale.y(high)),
      low: round(scale.y(low)),
      bodyTop: round(top),
      bodyHeight: Math.max(0.5, round(bottom - top)),
      up: close >= open,
      label: `O ${open} H ${high} L ${low} C ${close}`,
    };
  });
}
