/**
 * Our indicators on real Binance BTCUSDT candles against the TA-Lib C values stored in
 * ../shared/data/reference (computed by TA-Lib 0.6 via npm talib; third-party data, read in place,
 * never copied). Indicators seeded like TA-Lib are compared from TA-Lib's first value; EMA/RSI/ADX use
 * the original btc_research's seeding (and ADX its one-bar shift), so they are compared after warm-up
 * convergence, ADX one bar later.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../packages/engine/src/model/candle.js';
import { computeBatch } from '../../packages/engine/src/indicators/batch.js';
import { indicatorRegistry } from '../../packages/engine/src/indicators/registry.js';
import type { IndicatorValue } from '../../packages/engine/src/indicators/indicator.js';
import { compareSeries } from '../../packages/engine/src/indicators/testing/assertions.js';
import { talibSeries, type Talib } from '../../packages/engine/src/indicators/testing/talib-reference.js';
import { CandleAggregator } from '../../packages/engine/src/candles/candle-aggregator.js';
import { parseKlineCsv } from '../../packages/engine/src/market/kline-csv.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const referenceDir = resolve(repoRoot, '../shared/data/reference');

interface ReferenceFile {
  readonly name: string;
  readonly candles: Candle[];
  readonly columns: Map<string, number[]>;
}

function load(prefix: string, suffix: string): ReferenceFile {
  if (!existsSync(referenceDir)) throw new Error(`TA-Lib reference files are expected in ${referenceDir} (../shared next to the repository)`);
  const file = readdirSync(referenceDir).find((f) => f.startsWith(prefix) && f.endsWith(suffix));
  if (file === undefined) throw new Error(`no ${prefix}*${suffix} in ${referenceDir}`);
  const raw = readFileSync(resolve(referenceDir, file));
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.trim().split('\n');
  const header = lines[0]!.split(',');
  const columns = new Map<string, number[]>(header.map((h) => [h, []]));
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    header.forEach((h, k) => columns.get(h)!.push(cells[k] === '' || cells[k] === undefined ? NaN : Number(cells[k])));
  }
  const col = (h: string): number[] => columns.get(h)!;
  const step = col('open_time')[1]! - col('open_time')[0]!;
  const candles: Candle[] = col('open_time').map((t, i) => ({
    openTime: t,
    closeTime: t + step,
    open: col('open')[i]!,
    high: col('high')[i]!,
    low: col('low')[i]!,
    close: col('close')[i]!,
    volume: col('volume')[i]!,
  }));
  return { name: file, candles, columns };
}

function run(type: string, raw: Record<string, unknown>, candles: readonly Candle[]): Record<string, IndicatorValue[]> {
  const def = indicatorRegistry.get(type)!;
  const parsed = def.parseParams(raw);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return computeBatch(def, parsed.params, candles);
}

interface Check {
  readonly label: string;
  readonly type: string;
  readonly raw: Record<string, unknown>;
  readonly map: Record<string, string>;
  /** First bar compared: 0 = from TA-Lib's first value (same seeding), otherwise after convergence. */
  readonly from?: number;
  /** Our value at bar i is TA-Lib's at i − shift. */
  readonly shift?: number;
  /** Absolute floor for values that cross zero (MACD, OBV). */
  readonly absFloor?: number;
}

const CHECKS: Check[] = [
  { label: 'SMA 20', type: 'SMA', raw: { length: 20 }, map: { SMA_20: 'sma_20' } },
  { label: 'EMA 12 (converged)', type: 'EMA', raw: { length: 12 }, map: { EMA_12: 'ema_12' }, from: 400 },
  { label: 'EMA 26 (converged)', type: 'EMA', raw: { length: 26 }, map: { EMA_26: 'ema_26' }, from: 700 },
  { label: 'EMA 12, seed: sma (from the first value)', type: 'EMA', raw: { length: 12, seed: 'sma' }, map: { EMA_12: 'ema_12' } },
  { label: 'EMA 26, seed: sma (from the first value)', type: 'EMA', raw: { length: 26, seed: 'sma' }, map: { EMA_26: 'ema_26' } },
  { label: 'RSI 14 (converged)', type: 'RSI', raw: { length: 14 }, map: { RSI_14: 'rsi_14' }, from: 600 },
  {
    label: 'MACD 12/26/9',
    type: 'MACD',
    raw: {},
    map: { MACD_macd: 'macd_12_26_9', MACD_signal: 'macd_signal_12_26_9', MACD_hist: 'macd_hist_12_26_9' },
    absFloor: 1e-7,
  },
  {
    label: 'Bollinger 20/2',
    type: 'BollingerBands',
    raw: { length: 20 },
    map: { BB_upper: 'bb_upper_20_2', BB_middle: 'bb_middle_20_2', BB_lower: 'bb_lower_20_2' },
  },
  { label: 'ATR 14', type: 'ATR', raw: { length: 14 }, map: { ATR_14: 'atr_14' } },
  {
    label: 'ADX 14 (original: shifted one bar, converged)',
    type: 'ADX',
    raw: { period: 14 },
    map: { ADX_value: 'adx_14', DI_plus: 'plus_di_14', DI_minus: 'minus_di_14' },
    from: 800,
    shift: 1,
  },
  { label: 'CCI 20', type: 'CCI', raw: { length: 20 }, map: { CCI_20: 'cci_20' }, absFloor: 1e-9 },
  {
    label: 'Stochastic 14/3/3',
    type: 'Stochastic',
    raw: { fastk_period: 14, slowk_period: 3, slowd_period: 3 },
    map: { STOCH_k: 'stoch_slowk_14_3_3', STOCH_d: 'stoch_slowd_14_3_3' },
  },
  { label: 'Williams %R 14', type: 'WilliamsR', raw: { length: 14 }, map: { WILLR_14: 'willr_14' } },
  { label: 'MFI 14', type: 'MFI', raw: { length: 14 }, map: { MFI_14: 'mfi_14' } },
  { label: 'OBV', type: 'OBV', raw: {}, map: { OBV: 'obv' }, absFloor: 1e-6 },
];

for (const [prefix, suffix] of [
  ['talib_btcusdt_spot_1d_', '.csv'],
  ['talib_btcusdt_spot_1h_', '.csv.gz'],
] as const) {
  describe(`indicators vs TA-Lib on real BTCUSDT candles (${prefix}*${suffix})`, () => {
    const ref = load(prefix, suffix);

    it('has the expected size', () => {
      expect(ref.candles.length).toBeGreaterThan(3000);
    });

    for (const c of CHECKS) {
      it(`${c.label} agrees to 1e-9 relative`, () => {
        const ours = run(c.type, c.raw, ref.candles);
        for (const [col, refCol] of Object.entries(c.map)) {
          const expectedRaw = ref.columns.get(refCol);
          expect(expectedRaw, refCol).toBeDefined();
          const shift = c.shift ?? 0;
          const expected = shift === 0 ? expectedRaw! : [...new Array<number>(shift).fill(NaN), ...expectedRaw!.slice(0, -shift)];
          const { failures, compared } = compareSeries(`${ref.name} ${col}`, ours[col]!, expected, c.from ?? 0, 1e-9, c.absFloor ?? 1e-9);
          expect(failures).toEqual([]);
          expect(compared).toBeGreaterThan(ref.candles.length - 900);
        }
      });
    }
  });
}

/**
 * The 1m files (with their real gaps in 2021 and 2023) and their 1h aggregation, against TA-Lib run
 * here through npm talib: NATR and the SMA-seeded EMA from TA-Lib's first value; Bollinger against
 * exact arithmetic (the closes are on a 0.01 grid, so the window's variance is a rational number),
 * since TA-Lib's own running E[x²] − E[x]² loses digits on 1m BTC prices.
 */
const talib = createRequire(import.meta.url)('talib') as Talib;
const candleDir = resolve(repoRoot, '../shared/data/candles');
const MINUTE_FILES = ['binance_spot_btcusdt_1m_2021-04-02_2021-05-14.csv', 'binance_spot_btcusdt_1m_2023-03-16_2023-05-01.csv', 'binance_spot_btcusdt_1m_2025-06-01_2025-07-01.csv'];

function minuteAndHour(file: string): Array<{ name: string; candles: Candle[] }> {
  const path = resolve(candleDir, file);
  if (!existsSync(path)) throw new Error(`real 1m candles expected at ${path} (../shared next to the repository)`);
  const minutes = parseKlineCsv(readFileSync(path, 'utf8'), 60_000);
  const agg = new CandleAggregator('1h');
  const hours = minutes.flatMap((c) => agg.add(c));
  return [
    { name: `${file} 1m`, candles: minutes },
    { name: `${file} 1h`, candles: hours },
  ];
}

describe.each(MINUTE_FILES)('indicators vs TA-Lib on real 1m candles and their 1h aggregation (%s)', (file) => {
  const series = minuteAndHour(file);

  it.each([14, 200])('NATR %i equals TA-Lib NATR to 1e-9 relative from its first value', (length) => {
    for (const { name, candles } of series) {
      const ours = run('NATR', { length }, candles)[`NATR_${length}`]!;
      const ref = talibSeries(talib, 'NATR', candles, { optInTimePeriod: length })['outReal']!;
      const { failures, compared } = compareSeries(`${name} NATR_${length}`, ours, ref, 0, 1e-9);
      expect(failures).toEqual([]);
      expect(compared).toBe(candles.length - length);
    }
  });

  it.each([12, 200])('EMA %i with seed: sma equals TA-Lib EMA to 1e-9 relative from its first value', (length) => {
    for (const { name, candles } of series) {
      const ours = run('EMA', { length, seed: 'sma' }, candles)[`EMA_${length}`]!;
      const ref = talibSeries(talib, 'EMA', candles, { optInTimePeriod: length })['outReal']!;
      const { failures, compared } = compareSeries(`${name} EMA_${length}`, ours, ref, 0, 1e-9);
      expect(failures).toEqual([]);
      expect(compared).toBe(candles.length - length + 1);
    }
  });

  it.each([5, 20])('Bollinger %i/2: bands within 1e-13 relative of exact arithmetic', (length) => {
    for (const { name, candles } of series) {
      const bands = run('BollingerBands', { length }, candles);
      let checked = 0;
      for (let i = length - 1; i < candles.length; i++) {
        const cents = candles.slice(i - length + 1, i + 1).map((c) => BigInt(Math.round(c.close * 100)));
        const s1 = cents.reduce((a, b) => a + b, 0n);
        const s2 = cents.reduce((a, b) => a + b * b, 0n);
        const mean = Number(s1) / length / 100;
        const sd = Math.sqrt(Number(BigInt(length) * s2 - s1 * s1)) / length / 100;
        for (const [col, exact] of [['BB_upper', mean + 2 * sd], ['BB_middle', mean], ['BB_lower', mean - 2 * sd]] as const) {
          const v = bands[col]![i] as number;
          if (!(Math.abs(v - exact) <= 1e-13 * exact)) throw new Error(`${name} ${col}[${i}]: ${v} vs exact ${exact}`);
        }
        checked++;
      }
      expect(checked).toBe(candles.length - length + 1);
    }
  });
});
