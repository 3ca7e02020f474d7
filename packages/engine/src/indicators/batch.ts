import type { Candle } from '../model/candle.js';
import type { IndicatorDefinition, IndicatorValue, UpstreamColumns } from './indicator.js';

/** Column arrays of upstream indicators, in config order, with their final (prefixed) names. */
export type UpstreamColumnArrays = ReadonlyArray<readonly [name: string, values: readonly IndicatorValue[]]>;

/** Raw output name → one value per candle. Insertion order = the indicator's `outputNames` order. */
export type IndicatorColumns = Record<string, IndicatorValue[]>;

/**
 * Batch computation by running the incremental `update` once per candle, so batch and live values come
 * from one implementation and are identical bit for bit. `upstream` (for composite indicators) gives,
 * for each earlier indicator column on the same timeframe, one value per candle.
 */
export function computeBatch<P>(
  definition: IndicatorDefinition<P>,
  params: P,
  candles: readonly Candle[],
  upstream: UpstreamColumnArrays = [],
): IndicatorColumns {
  const indicator = definition.create(params);
  const n = candles.length;
  const names = indicator.outputNames;
  const columns: IndicatorValue[][] = names.map(() => new Array<IndicatorValue>(n));
  for (const [name, values] of upstream) {
    if (values.length !== n) {
      throw new Error(`computeBatch(${definition.type}): upstream column ${name} has ${values.length} values for ${n} candles`);
    }
  }
  // One reusable row of upstream values, refreshed in place for every candle.
  const row: [string, IndicatorValue][] = upstream.map(([name]) => [name, null]);
  const upstreamRow: UpstreamColumns = row;
  const values = indicator.values;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < row.length; k++) (row[k] as [string, IndicatorValue])[1] = (upstream[k] as readonly [string, readonly IndicatorValue[]])[1][i] as IndicatorValue;
    indicator.update(candles[i] as Candle, upstreamRow);
    for (let k = 0; k < columns.length; k++) (columns[k] as IndicatorValue[])[i] = values[k] as IndicatorValue;
  }
  const out: IndicatorColumns = {};
  names.forEach((name, k) => {
    out[name] = columns[k] as IndicatorValue[];
  });
  return out;
}
