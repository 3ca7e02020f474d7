import type { Timeframe } from '../candles/timeframe.js';
import type { Indicator, IndicatorValue } from '../indicators/indicator.js';

/** One indicator of a compiled strategy: where it runs, what it outputs and what feeds it. */
export interface IndicatorSlot {
  id: string;
  type: string;
  timeframe: Timeframe;
  indicator: Indicator;
  /** a fresh instance with the same parameters (legacy look-ahead precomputation) */
  create: () => Indicator;
  /** a rule reads one of its columns */
  read: boolean;
  /** final (prefixed) names of indicator.values, same order */
  columns: string[];
  /** [name, value] pairs of earlier indicators on the same timeframe, refreshed before each update */
  upstream: Array<[string, IndicatorValue]>;
  upstreamSources: Array<{ slot: IndicatorSlot; index: number }>;
}
