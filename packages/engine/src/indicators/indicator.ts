import type { Candle } from '../model/candle.js';
import type { IndicatorOutputKind } from './output-kind.js';

/**
 * A value a strategy rule can read. Missing numeric values are NaN (the evaluator treats NaN as null);
 * string outputs such as EMA trend use null while undefined.
 */
export type IndicatorValue = number | boolean | string | null;

/** Columns produced by earlier indicators on the same timeframe, in config order (final, prefixed names). */
export type UpstreamColumns = ReadonlyArray<readonly [name: string, value: IndicatorValue]>;

/**
 * One implementation serves batch and incremental use: batch = `update` once per closed candle.
 * `values[k]` is the current value of `outputNames[k]` after the last update; the array is mutated
 * in place (no allocation per update) so compiled rules can hold a reference to it.
 */
export interface Indicator {
  /** Raw output names as the original produces them, before the id-prefix rule (e.g. "EMA_200", "EMA_200_trend"). */
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[];
  /** Number of own-timeframe candles needed before every output is defined. */
  readonly warmupBars: number;
  /** Feed one closed candle of the indicator's own timeframe. */
  update(candle: Candle, upstream?: UpstreamColumns): void;
  /** true once every output is defined (after warmupBars updates). */
  isReady(): boolean;
}

export interface IndicatorDefinition<P = Record<string, unknown>> {
  /** Registry name as in the original YAML, case-sensitive: "EMA", "RSI", "VolumeProfile", … */
  readonly type: string;
  /** Validates and defaults the parameters; unknown parameter names are errors. */
  parseParams(raw: Record<string, unknown>): { ok: true; params: P } | { ok: false; errors: string[] };
  create(params: P): Indicator;
  /** What a raw output (an entry of `outputNames`) measures, so charts draw it on a fitting scale. */
  readonly outputKind: (rawOutput: string) => IndicatorOutputKind;
  /**
   * Present for the original btc_research's own indicators (compat §1.4), with the parameter names
   * its constructor accepted. compat: legacy accepts only these types and parameters, since the
   * original failed on anything else; types and parameters this project added are default-mode only.
   */
  readonly original?: { readonly params: readonly string[] };
}

/** A definition whatever its parameter type, for lists that mix indicators (the registry, tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parameter types differ per indicator, and P is both read and written
export type AnyIndicatorDefinition = IndicatorDefinition<any>;
