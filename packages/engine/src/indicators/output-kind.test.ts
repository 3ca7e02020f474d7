import { describe, expect, it } from 'vitest';
import { computeBatch } from './batch.js';
import { INDICATOR_OUTPUT_KINDS } from './output-kind.js';
import { indicatorRegistry } from './registry.js';
import { seededCandles } from './testing/seeded-candles.js';

const candles = seededCandles({ count: 600, seed: 14, startPrice: 80_000, volatility: 0.004 });
const lowest = Math.min(...candles.map((c) => c.low));
const highest = Math.max(...candles.map((c) => c.high));

/** Every value of every output of every registered indicator (default parameters) over the same candles. */
function everyOutput(): Array<{ type: string; output: string; kind: string; values: readonly unknown[] }> {
  const out: Array<{ type: string; output: string; kind: string; values: readonly unknown[] }> = [];
  for (const def of indicatorRegistry.values()) {
    const parsed = def.parseParams({});
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const columns = computeBatch(def, parsed.params, candles);
    for (const [output, values] of Object.entries(columns)) out.push({ type: def.type, output, kind: def.outputKind(output), values });
  }
  return out;
}

describe('indicator output kinds', () => {
  const outputs = everyOutput();

  it('gives every output of every indicator one of the known kinds', () => {
    expect(outputs.length).toBeGreaterThan(80);
    for (const o of outputs) expect(INDICATOR_OUTPUT_KINDS, `${o.type} ${o.output}`).toContain(o.kind);
  });

  it('price-scaled outputs stay within the price range of the candles (a chart can draw them over the candles)', () => {
    let checked = 0;
    for (const o of outputs.filter((x) => x.kind === 'price')) {
      for (const v of o.values) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        expect(v, `${o.type} ${o.output}`).toBeGreaterThan(lowest * 0.8);
        expect(v, `${o.type} ${o.output}`).toBeLessThan(highest * 1.2);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('booleans are booleans, labels are text, counts are whole numbers and oscillators stay in ±100', () => {
    for (const o of outputs) {
      const defined = o.values.filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)));
      for (const v of defined) {
        const where = `${o.type} ${o.output}: ${String(v)}`;
        if (o.kind === 'boolean') expect(typeof v, where).toBe('boolean');
        else if (o.kind === 'label') expect(typeof v, where).toBe('string');
        else expect(typeof v, where).toBe('number');
        if (o.kind === 'count') expect(Number.isInteger(v), where).toBe(true);
        if (o.kind === 'bounded') expect(Math.abs(v as number), where).toBeLessThanOrEqual(100);
      }
    }
  });

  it('classifies the columns that flattened the price chart (FVG counts and indexes) as counts', () => {
    const fvg = indicatorRegistry.get('FVG')!;
    expect(fvg.outputKind('FVG_active_bullish_gaps')).toBe('count');
    expect(fvg.outputKind('FVG_bullish_bin_idx')).toBe('count');
    expect(fvg.outputKind('FVG_nearest_support')).toBe('price');
    expect(indicatorRegistry.get('RSI')!.outputKind('RSI_14_overbought')).toBe('boolean');
    expect(indicatorRegistry.get('EMA')!.outputKind('EMA_200_trend')).toBe('label');
  });
});
