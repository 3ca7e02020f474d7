import type { Candle } from '../../model/candle.js';
import { computeBatch, type UpstreamColumnArrays } from '../batch.js';
import type { IndicatorValue } from '../indicator.js';
import { indicatorRegistry } from '../registry.js';

/** The original Engine's id-prefix rule (compat §2.0). */
export function finalName(id: string, column: string): string {
  if (column === id || column.startsWith(`${id}_`)) return column;
  return `${id}_${column}`;
}

export interface PipelineEntry {
  readonly id: string;
  readonly type: string;
  readonly params?: Record<string, unknown>;
}

/**
 * Runs indicators in config order on one timeframe the way the original Engine does: each indicator sees
 * the final-named columns of the earlier ones. Returns every column by final name, in order.
 */
export function runPipeline(candles: readonly Candle[], entries: readonly PipelineEntry[]): Array<[string, IndicatorValue[]]> {
  const columns: Array<[string, IndicatorValue[]]> = [];
  for (const e of entries) {
    const def = indicatorRegistry.get(e.type);
    if (def === undefined) throw new Error(`unknown type ${e.type}`);
    const parsed = def.parseParams(e.params ?? {});
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const upstream: UpstreamColumnArrays = columns.map(([n, v]) => [n, v] as const);
    const out = computeBatch(def, parsed.params, candles, upstream);
    for (const [name, values] of Object.entries(out)) columns.push([finalName(e.id, name), values]);
  }
  return columns;
}
