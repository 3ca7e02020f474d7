import { CandleAggregator } from '../candles/candle-aggregator.js';
import { isTimeframe } from '../candles/timeframe.js';
import { computeBatch } from '../indicators/batch.js';
import type { IndicatorOutputKind } from '../indicators/output-kind.js';
import { indicatorRegistry } from '../indicators/registry.js';
import type { Candle } from '../model/candle.js';
import type { StrategyConfig } from './config-schema.js';

/** One drawable indicator output: its column name, what it measures, its values at candle close times. */
export interface IndicatorChartSeries {
  /** the column name rules use, e.g. RSI_14 or BB_20_upper */
  name: string;
  indicatorId: string;
  type: string;
  output: string;
  timeframe: string;
  kind: Exclude<IndicatorOutputKind, 'label'>;
  /** close time of the candle (epoch ms) and the value there; a boolean is 1 or 0 */
  points: Array<{ time: number; value: number }>;
}

/** The column name rules use for an indicator output (the original's id-prefix rule, compat §2.0). */
function columnName(id: string, output: string): string {
  if (output === id || output.startsWith(`${id}_`)) return output;
  return `${id}_${output}`;
}

/**
 * Every drawable output of a config's indicators over closed 1m candles, computed exactly as a
 * strategy computes them: the engine's aggregation to each indicator's timeframe and its batch
 * indicator code. Text outputs are left out (nothing to draw); an indicator that needs upstream
 * columns (a composite) is left out too.
 */
export function indicatorChartSeries(config: StrategyConfig, base: readonly Candle[]): IndicatorChartSeries[] {
  const byTimeframe = new Map<string, readonly Candle[]>();
  const out: IndicatorChartSeries[] = [];
  for (const ic of config.indicators) {
    const tf = ic.timeframe;
    if (!isTimeframe(tf)) continue;
    let candles = byTimeframe.get(tf);
    if (!candles) {
      if (tf === '1m') candles = base;
      else {
        const aggregator = new CandleAggregator(tf);
        const built: Candle[] = [];
        for (const c of base) built.push(...aggregator.add(c));
        candles = built;
      }
      byTimeframe.set(tf, candles);
    }
    const definition = indicatorRegistry.get(ic.type);
    if (!definition) continue;
    const parsed = definition.parseParams({ ...ic.params });
    if (!parsed.ok) continue;
    let columns: Record<string, readonly unknown[]>;
    try {
      columns = computeBatch(definition, parsed.params, candles);
    } catch {
      continue;
    }
    for (const output of Object.keys(columns)) {
      const kind = definition.outputKind(output);
      if (kind === 'label') continue;
      const values = columns[output] ?? [];
      const points: Array<{ time: number; value: number }> = [];
      candles.forEach((c, i) => {
        const v = values[i];
        if (typeof v === 'number' && Number.isFinite(v)) points.push({ time: c.closeTime, value: v });
        else if (typeof v === 'boolean') points.push({ time: c.closeTime, value: v ? 1 : 0 });
      });
      if (points.length > 0) out.push({ name: columnName(ic.id, output), indicatorId: ic.id, type: ic.type, output, timeframe: tf, kind, points });
    }
  }
  return out;
}
