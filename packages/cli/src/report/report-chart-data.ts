import { CandleAggregator, indicatorChartSeries, timeframeMs, type BacktestReport, type Candle, type StrategyConfig, type Timeframe } from '@btc-research/engine';

/** the timeframes the report's chart offers, smallest first */
const CHART_TIMEFRAMES: readonly Timeframe[] = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'];
/** the most candles embedded in a report (a year of 15m candles is 35,040) */
const MAX_CANDLES = 60_000;

export interface ReportChartData {
  /** the timeframe the embedded candles are in; the chart offers it and every larger one */
  baseTimeframe: Timeframe;
  timeframes: Timeframe[];
  candles: Array<{ openTime: number; closeTime: number; open: number; high: number; low: number; close: number; volume: number }>;
  indicators: ReturnType<typeof indicatorChartSeries>;
  trades: Array<{ tradeId: string; time: number; side: 'buy' | 'sell'; price: string; quantity: string; reason: string }>;
}

/** one point per bar of `sizeMs` (the bar's last value), so series stay as small as the candles */
function lastPerBar(points: Array<{ time: number; value: number }>, sizeMs: number): Array<{ time: number; value: number }> {
  const out: Array<{ time: number; value: number }> = [];
  let last = Number.NaN;
  for (const p of points) {
    const bucket = Math.floor((p.time - 1) / sizeMs);
    if (bucket === last) out[out.length - 1] = p;
    else out.push(p);
    last = bucket;
  }
  return out;
}

/**
 * What the report's strategy chart draws (the dashboard's chart code, inlined): the backtest's
 * candles in the strategy's entry timeframe (or larger, to stay under MAX_CANDLES), every drawable
 * indicator output computed by the engine as the backtest computed it, and every fill.
 */
export function reportChartData(config: StrategyConfig, candles: readonly Candle[], report: BacktestReport): ReportChartData {
  const entry = report.strategy.entryTimeframe as Timeframe;
  const minutes = candles.length;
  let base = CHART_TIMEFRAMES.find((tf) => timeframeMs(tf) >= timeframeMs(entry) && minutes / (timeframeMs(tf) / 60_000) <= MAX_CANDLES) ?? '1d';
  if (!CHART_TIMEFRAMES.includes(base)) base = '1d';
  let bars: Candle[];
  if (base === '1m') bars = [...candles];
  else {
    const aggregator = new CandleAggregator(base);
    bars = [];
    for (const c of candles) bars.push(...aggregator.add(c));
    const pending = aggregator.pending();
    if (pending) bars.push(pending);
  }
  const size = timeframeMs(base);
  return {
    baseTimeframe: base,
    timeframes: CHART_TIMEFRAMES.filter((tf) => timeframeMs(tf) >= size),
    candles: bars.map((c) => ({ openTime: c.openTime, closeTime: c.closeTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume })),
    indicators: indicatorChartSeries(config, candles).map((s) => ({ ...s, points: lastPerBar(s.points, size) })),
    trades: report.fills.map((f) => ({ tradeId: f.tradeId, time: f.time, side: f.side, price: f.price, quantity: f.quantity, reason: f.reason })),
  };
}
