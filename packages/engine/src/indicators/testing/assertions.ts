import { expect } from 'vitest';
import type { Candle } from '../../model/candle.js';
import { computeBatch, type UpstreamColumnArrays } from '../batch.js';
import type { IndicatorDefinition, IndicatorValue, UpstreamColumns } from '../indicator.js';

/**
 * Batch (computeBatch) and incremental use (a fresh instance fed candle by candle, values read after each
 * update) must agree bit for bit: Object.is on every value, so NaN, -0 and +0 are distinguished.
 */
export function expectBatchEqualsIncremental<P>(
  definition: IndicatorDefinition<P>,
  params: P,
  candles: readonly Candle[],
  upstream: UpstreamColumnArrays = [],
): Record<string, IndicatorValue[]> {
  const batch = computeBatch(definition, params, candles, upstream);
  const live = definition.create(params);
  expect(Object.keys(batch)).toEqual([...live.outputNames]);
  let mismatches = 0;
  const firstMismatches: string[] = [];
  for (let i = 0; i < candles.length; i++) {
    const row: UpstreamColumns = upstream.map(([name, values]) => [name, values[i] as IndicatorValue] as const);
    live.update(candles[i] as Candle, row);
    live.outputNames.forEach((name, k) => {
      const b = (batch[name] as IndicatorValue[])[i];
      const v = live.values[k];
      if (!Object.is(b, v)) {
        mismatches++;
        if (firstMismatches.length < 5) firstMismatches.push(`${name}[${i}]: batch ${String(b)} vs live ${String(v)}`);
      }
    });
  }
  expect(firstMismatches).toEqual([]);
  expect(mismatches).toBe(0);
  return batch;
}

/** Relative comparison (absolute near zero), NaN must match NaN. Returns a list of failures (max 5). */
export function compareSeries(
  name: string,
  actual: readonly IndicatorValue[],
  expected: readonly number[],
  from: number,
  relTol: number,
  absFloor = 1e-9,
): { failures: string[]; compared: number } {
  const failures: string[] = [];
  let compared = 0;
  for (let i = from; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i];
    if (typeof a !== 'number') {
      failures.push(`${name}[${i}]: expected ${e}, got ${String(a)}`);
    } else if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) failures.push(`${name}[${i}]: expected ${e}, got ${a}`);
    } else {
      compared++;
      const tol = Math.max(relTol * Math.abs(e), absFloor);
      if (Math.abs(a - e) > tol) failures.push(`${name}[${i}]: expected ${e}, got ${a} (diff ${a - e})`);
    }
    if (failures.length >= 5) break;
  }
  return { failures, compared };
}
