import { buildTradingSetup, indicatorChartSeries, type Candle } from '@btc-research/engine';
import type { IndicatorsResponse, MarketTimeframe } from '@btc-research/contracts';
import type { StrategyRecord } from '@btc-research/platform';
import type { CandleHistory, HistoryCandle } from './candle-history.js';
import { TF_MS } from './market-read-model.js';

type Series = IndicatorsResponse['series'][number];

function toCandle(p: HistoryCandle): Candle {
  return { openTime: p.openTime, closeTime: p.closeTime, open: Number(p.open), high: Number(p.high), low: Number(p.low), close: Number(p.close), volume: Number(p.volume) };
}

/** Every series of the strategy's indicators over the whole history (the engine's indicatorChartSeries). */
function computeAll(record: StrategyRecord, history: readonly HistoryCandle[]): Series[] {
  const setup = buildTradingSetup(record.configYaml, record.configName, { strategyId: record.id });
  if (!setup.ok) return [];
  return indicatorChartSeries(setup.config, history.map(toCandle)).map((s) => ({ ...s, overlay: s.kind === 'price' }));
}

/** one bar's last point per bar of `bar` (points are at candle close times, oldest first) */
function lastPerBar(points: Series['points'], bar: MarketTimeframe): Series['points'] {
  const size = TF_MS[bar];
  const out: Series['points'] = [];
  let lastBucket = Number.NaN;
  for (const p of points) {
    const bucket = Math.floor((p.time - 1) / size);
    if (bucket === lastBucket) out[out.length - 1] = p;
    else out.push(p);
    lastBucket = bucket;
  }
  return out;
}

/**
 * The strategy's indicator series over its symbol's stored candle history, optionally cut to a
 * window of close times and thinned to one point per chart bar; the newest `limit` points each.
 * Series are computed once per version of the history and kept per strategy.
 */
export class IndicatorSeriesModel {
  private readonly computed = new Map<string, { history: readonly HistoryCandle[]; configYaml: string; series: Series[] }>();

  constructor(private readonly history: CandleHistory) {}

  async read(
    record: StrategyRecord,
    query: { limit: number; from?: number | undefined; to?: number | undefined; bar?: MarketTimeframe | undefined },
  ): Promise<IndicatorsResponse> {
    const { candles } = await this.history.candles(record.symbol);
    let entry = this.computed.get(record.id);
    if (!entry || entry.history !== candles || entry.configYaml !== record.configYaml) {
      entry = { history: candles, configYaml: record.configYaml, series: computeAll(record, candles) };
      this.computed.set(record.id, entry);
    }
    const from = query.from ?? Number.NEGATIVE_INFINITY;
    const to = query.to ?? Number.POSITIVE_INFINITY;
    const series = entry.series
      .map((s) => {
        let points = s.points.filter((p) => p.time >= from && p.time <= to);
        if (query.bar) points = lastPerBar(points, query.bar);
        return { ...s, points: points.slice(-query.limit) };
      })
      .filter((s) => s.points.length > 0);
    return { strategyId: record.id, symbol: record.symbol, series, candlesUsed: candles.length };
  }
}
