import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { atrDefinition } from './atr.js';
import { computeBatch } from './batch.js';
import { bollingerDefinition } from './bollinger.js';
import { cciDefinition } from './cci.js';
import type { AnyIndicatorDefinition, IndicatorDefinition } from './indicator.js';
import { macdDefinition } from './macd.js';
import { mfiDefinition } from './mfi.js';
import { natrDefinition } from './natr.js';
import { obvDefinition } from './obv.js';
import { smaDefinition } from './sma.js';
import { stochasticDefinition } from './stochastic.js';
import { compareSeries } from './testing/assertions.js';
import { seededCandles } from './testing/seeded-candles.js';
import { talibSeries, type Talib } from './testing/talib-reference.js';
import { williamsRDefinition } from './williams-r.js';

const talib = createRequire(import.meta.url)('talib') as Talib;

function params<P>(def: IndicatorDefinition<P>, raw: Record<string, unknown>): P {
  const r = def.parseParams(raw);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.params;
}

interface Case {
  readonly label: string;
  readonly def: AnyIndicatorDefinition;
  readonly raw: Record<string, unknown>;
  readonly fn: string;
  readonly opts: Record<string, number>;
  /** our column → TA-Lib output name */
  readonly map: Record<string, string>;
  readonly absFloor?: number;
  /** Skip the volatile data set: TA-Lib's own result loses digits there (see BBANDS below). */
  readonly calmOnly?: boolean;
}

// These indicators follow TA-Lib's seeding exactly, so they are compared from TA-Lib's first value on.
const CASES: Case[] = [
  { label: 'SMA 30', def: smaDefinition, raw: {}, fn: 'SMA', opts: { optInTimePeriod: 30 }, map: { SMA_30: 'outReal' } },
  { label: 'SMA 2', def: smaDefinition, raw: { length: 2 }, fn: 'SMA', opts: { optInTimePeriod: 2 }, map: { SMA_2: 'outReal' } },
  { label: 'ATR 14', def: atrDefinition, raw: {}, fn: 'ATR', opts: { optInTimePeriod: 14 }, map: { ATR_14: 'outReal' } },
  { label: 'ATR 3', def: atrDefinition, raw: { length: 3 }, fn: 'ATR', opts: { optInTimePeriod: 3 }, map: { ATR_3: 'outReal' } },
  { label: 'NATR 14', def: natrDefinition, raw: {}, fn: 'NATR', opts: { optInTimePeriod: 14 }, map: { NATR_14: 'outReal' } },
  { label: 'NATR 2', def: natrDefinition, raw: { length: 2 }, fn: 'NATR', opts: { optInTimePeriod: 2 }, map: { NATR_2: 'outReal' } },
  {
    label: 'MACD 12/26/9',
    def: macdDefinition,
    raw: {},
    fn: 'MACD',
    opts: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
    map: { MACD_macd: 'outMACD', MACD_signal: 'outMACDSignal', MACD_hist: 'outMACDHist' },
    absFloor: 1e-9,
  },
  {
    label: 'MACD 5/8/3',
    def: macdDefinition,
    raw: { fast_period: 5, slow_period: 8, signal_period: 3 },
    fn: 'MACD',
    opts: { optInFastPeriod: 5, optInSlowPeriod: 8, optInSignalPeriod: 3 },
    map: { MACD_macd: 'outMACD', MACD_signal: 'outMACDSignal', MACD_hist: 'outMACDHist' },
    absFloor: 1e-9,
  },
  {
    label: 'BBANDS 5/2/2',
    def: bollingerDefinition,
    raw: {},
    fn: 'BBANDS',
    opts: { optInTimePeriod: 5, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
    map: { BB_upper: 'outRealUpperBand', BB_middle: 'outRealMiddleBand', BB_lower: 'outRealLowerBand' },
    calmOnly: true,
  },
  {
    label: 'BBANDS 20/2.5/1.5',
    def: bollingerDefinition,
    raw: { length: 20, std_dev_up: 2.5, std_dev_down: 1.5 },
    fn: 'BBANDS',
    opts: { optInTimePeriod: 20, optInNbDevUp: 2.5, optInNbDevDn: 1.5, optInMAType: 0 },
    map: { BB_upper: 'outRealUpperBand', BB_middle: 'outRealMiddleBand', BB_lower: 'outRealLowerBand' },
    calmOnly: true,
  },
  {
    label: 'STOCH 5/3/3',
    def: stochasticDefinition,
    raw: {},
    fn: 'STOCH',
    opts: { optInFastK_Period: 5, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
    map: { STOCH_k: 'outSlowK', STOCH_d: 'outSlowD' },
  },
  {
    label: 'STOCH 14/3/3',
    def: stochasticDefinition,
    raw: { fastk_period: 14 },
    fn: 'STOCH',
    opts: { optInFastK_Period: 14, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
    map: { STOCH_k: 'outSlowK', STOCH_d: 'outSlowD' },
  },
  { label: 'CCI 14', def: cciDefinition, raw: {}, fn: 'CCI', opts: { optInTimePeriod: 14 }, map: { CCI_14: 'outReal' } },
  { label: 'CCI 20', def: cciDefinition, raw: { length: 20 }, fn: 'CCI', opts: { optInTimePeriod: 20 }, map: { CCI_20: 'outReal' } },
  { label: 'WILLR 14', def: williamsRDefinition, raw: {}, fn: 'WILLR', opts: { optInTimePeriod: 14 }, map: { WILLR_14: 'outReal' } },
  { label: 'MFI 14', def: mfiDefinition, raw: {}, fn: 'MFI', opts: { optInTimePeriod: 14 }, map: { MFI_14: 'outReal' } },
  { label: 'OBV', def: obvDefinition, raw: {}, fn: 'OBV', opts: {}, map: { OBV: 'outReal' }, absFloor: 1e-6 },
];

describe('standard indicators vs TA-Lib (npm talib, TA-Lib C) on seeded candles', () => {
  const datasets = [
    { name: 'minute-like', candles: seededCandles({ count: 3000, seed: 101 }) },
    { name: 'volatile, many flats', candles: seededCandles({ count: 3000, seed: 202, volatility: 0.05, flatProbability: 0.2, zeroVolumeProbability: 0.1 }) },
  ];
  for (const c of CASES) {
    it(`${c.label} matches TA-Lib to 1e-9 relative from TA-Lib's first value`, () => {
      for (const { name, candles } of c.calmOnly === true ? datasets.slice(0, 1) : datasets) {
        const ours = computeBatch(c.def, params(c.def, c.raw), candles);
        const ref = talibSeries(talib, c.fn, candles, c.opts);
        for (const [col, out] of Object.entries(c.map)) {
          const expected = ref[out];
          expect(expected, `${c.fn}.${out}`).toBeDefined();
          const { failures, compared } = compareSeries(`${name} ${col}`, ours[col]!, expected!, 0, 1e-9, c.absFloor ?? 1e-9);
          expect(failures).toEqual([]);
          expect(compared).toBeGreaterThan(2900);
        }
      }
    });
  }
});

describe('standard indicators: semantics', () => {
  it('Bollinger deviation equals the exact population deviation (BigInt on cent prices)', () => {
    // TA-Lib computes E[x²] − E[x]² with running float sums and loses digits when the deviation is small
    // relative to the price; the candles are on a 0.01 grid, so the exact variance is a rational number.
    const candles = seededCandles({ count: 3000, seed: 202, volatility: 0.05, flatProbability: 0.2 });
    for (const n of [5, 20]) {
      const cols = computeBatch(bollingerDefinition, params(bollingerDefinition, { length: n, std_dev_up: 1, std_dev_down: 1 }), candles);
      let checked = 0;
      for (let i = n - 1; i < candles.length; i++) {
        const cents = candles.slice(i - n + 1, i + 1).map((c) => BigInt(Math.round(c.close * 100)));
        const s1 = cents.reduce((a, b) => a + b, 0n);
        const s2 = cents.reduce((a, b) => a + b * b, 0n);
        const num = BigInt(n) * s2 - s1 * s1; // n²·var in cents²
        const sdExact = Math.sqrt(Number(num)) / n / 100;
        const sd = (cols['BB_upper']?.[i] as number) - (cols['BB_middle']?.[i] as number);
        const mid = cols['BB_middle']?.[i] as number;
        expect(Math.abs(sd - sdExact)).toBeLessThanOrEqual(1e-12 * mid + 1e-9 * sdExact);
        checked++;
      }
      expect(checked).toBeGreaterThan(2900);
    }
  });

  it('SMA reads the configured source column', () => {
    const candles = seededCandles({ count: 50, seed: 4 });
    const cols = computeBatch(smaDefinition, params(smaDefinition, { length: 4, source: 'volume' }), candles);
    const expected = candles.slice(10, 14).reduce((s, c) => s + c.volume, 0) / 4;
    expect(cols['SMA_4']?.[13]).toBeCloseTo(expected, 9);
    expect(cols['SMA_4']?.[2]).toBeNaN();
  });

  it('rejects MACD fast >= slow and unknown names', () => {
    expect(macdDefinition.parseParams({ fast_period: 26, slow_period: 12 }).ok).toBe(false);
    const r = obvDefinition.parseParams({ length: 3 });
    expect(r).toEqual({ ok: false, errors: ['OBV: unknown parameter "length"; allowed: (none)'] });
  });
});

describe('standard indicators vs TA-Lib for random parameters and data (fast-check)', () => {
  const cases: Array<{ def: AnyIndicatorDefinition; fn: string; build: (a: number, b: number, c: number) => [Record<string, unknown>, Record<string, number>]; floor?: number }> = [
    { def: smaDefinition, fn: 'SMA', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    { def: atrDefinition, fn: 'ATR', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    { def: natrDefinition, fn: 'NATR', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    { def: cciDefinition, fn: 'CCI', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    { def: williamsRDefinition, fn: 'WILLR', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    { def: mfiDefinition, fn: 'MFI', build: (a) => [{ length: a }, { optInTimePeriod: a }] },
    {
      def: stochasticDefinition,
      fn: 'STOCH',
      build: (a, b, c) => [
        { fastk_period: a, slowk_period: b, slowd_period: c },
        { optInFastK_Period: a, optInSlowK_Period: b, optInSlowK_MAType: 0, optInSlowD_Period: c, optInSlowD_MAType: 0 },
      ],
    },
    {
      def: macdDefinition,
      fn: 'MACD',
      build: (a, b, c) => [
        { fast_period: a, slow_period: a + b, signal_period: c },
        { optInFastPeriod: a, optInSlowPeriod: a + b, optInSignalPeriod: c },
      ],
      floor: 1e-9,
    },
  ];
  for (const c of cases) {
    it(c.fn, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          fc.integer({ min: 2, max: 30 }),
          fc.integer({ min: 2, max: 12 }),
          fc.integer({ min: 2, max: 12 }),
          (seed, a, b, k) => {
            const [raw, opts] = c.build(a, b, k);
            const candles = seededCandles({ count: 400, seed, volatility: 0.02, flatProbability: 0.1 });
            const ours = computeBatch(c.def, params(c.def, raw), candles);
            const ref = talibSeries(talib, c.fn, candles, opts);
            const outs = Object.keys(ref);
            // Our output columns are in TA-Lib's output order.
            Object.keys(ours).slice(0, outs.length).forEach((col, k2) => {
              const { failures, compared } = compareSeries(col, ours[col]!, ref[outs[k2]!]!, 0, 1e-9, c.floor ?? 1e-9);
              expect(failures).toEqual([]);
              expect(compared).toBeGreaterThan(300);
            });
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});
