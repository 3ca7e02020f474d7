import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indicatorRegistry } from './registry.js';
import { expectBatchEqualsIncremental } from './testing/assertions.js';
import { seededCandles } from './testing/seeded-candles.js';

/** Extra parameter sets per type (besides the defaults) that exercise short and long windows. */
const EXTRA: Record<string, Array<Record<string, unknown>>> = {
  EMA: [{ length: 1 }, { length: 9 }],
  RSI: [{ length: 2 }, { length: 30 }],
  ADX: [{ period: 3, smoothing_method: 'ema' }, { period: 30 }],
  SMA: [{ length: 1 }, { length: 7, source: 'volume' }],
  ATR: [{ length: 1 }, { length: 5 }],
  MACD: [{ fast_period: 3, slow_period: 5, signal_period: 1 }],
  BollingerBands: [{ length: 20, std_dev_up: 3, std_dev_down: 1 }],
  Stochastic: [{ fastk_period: 14, slowk_period: 1, slowd_period: 5 }],
  CCI: [{ length: 20 }],
  WilliamsR: [{ length: 3 }],
  MFI: [{ length: 3 }],
  FVG: [{ min_gap_atr_mult: 0, min_gap_pips: 0 }],
  VolumeProfile: [
    { lookback: 50, price_bins: 10, update_frequency: 4, min_volume_threshold: 0 },
    { lookback: 3, price_bins: 2, value_area_pct: 100 },
  ],
};

/** Composite indicators read upstream columns; they have their own batch = incremental tests. */
const COMPOSITE = new Set(['VPFVGSignal', 'RiskManagement']);

describe('every registered indicator: batch equals incremental bit for bit', () => {
  const datasets = [
    seededCandles({ count: 2500, seed: 1234 }),
    seededCandles({ count: 1500, seed: 99, volatility: 0.04, flatProbability: 0.3, zeroVolumeProbability: 0.2 }),
  ];
  for (const [type, def] of indicatorRegistry) {
    if (COMPOSITE.has(type)) continue;
    it(type, () => {
      for (const raw of [{}, ...(EXTRA[type] ?? [])]) {
        const parsed = def.parseParams(raw);
        if (!parsed.ok) throw new Error(parsed.errors.join('; '));
        for (const candles of datasets) {
          const cols = expectBatchEqualsIncremental(def, parsed.params, candles);
          // Past warm-up every output is set on the last candle, and some output is a finite number.
          const lastRow = Object.values(cols).map((col) => col[col.length - 1]);
          expect(lastRow.every((v) => v !== undefined)).toBe(true);
          expect(lastRow.some((v) => typeof v === 'number' && Number.isFinite(v)), `${type} ${JSON.stringify(raw)}`).toBe(true);
        }
      }
    });
  }
});

describe('batch equals incremental for random parameters and data (fast-check)', () => {
  const lengthParam: Record<string, string[]> = {
    EMA: ['length'],
    RSI: ['length'],
    ADX: ['period'],
    SMA: ['length'],
    ATR: ['length'],
    BollingerBands: ['length'],
    Stochastic: ['fastk_period', 'slowk_period', 'slowd_period'],
    CCI: ['length'],
    WilliamsR: ['length'],
    MFI: ['length'],
    VolumeProfile: ['lookback', 'price_bins', 'update_frequency'],
  };
  for (const [type, names] of Object.entries(lengthParam)) {
    it(type, () => {
      const def = indicatorRegistry.get(type)!;
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.array(fc.integer({ min: 2, max: 40 }), { minLength: names.length, maxLength: names.length }),
          fc.double({ min: 0.001, max: 0.1, noNaN: true }),
          (seed, values, volatility) => {
            const raw = Object.fromEntries(names.map((n, k) => [n, values[k]]));
            const parsed = def.parseParams(raw);
            if (!parsed.ok) throw new Error(parsed.errors.join('; '));
            expectBatchEqualsIncremental(def, parsed.params, seededCandles({ count: 300, seed, volatility, flatProbability: 0.1 }));
          },
        ),
        { numRuns: 15 },
      );
    });
  }
});
