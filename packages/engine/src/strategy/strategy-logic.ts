import type { IncompleteCandles } from '../candles/candle-aggregator.js';
import type { Timeframe } from '../candles/timeframe.js';
import type { IndicatorValue } from '../indicators/indicator.js';
import type { Candle } from '../model/candle.js';

export type Signal = 'entry_long' | 'entry_short' | 'exit_long' | 'exit_short';
export type PositionSide = 'flat' | 'long' | 'short';

/**
 * What TradingCore needs from a compiled strategy: feed closed candles per timeframe, then decide at
 * the close of each entry-timeframe candle. Implementations never see a candle before it closed.
 */
export interface StrategyLogic {
  readonly name: string;
  readonly entryTimeframe: Timeframe;
  /** every timeframe the strategy reads, entry included, fastest first */
  readonly timeframes: readonly Timeframe[];
  /** 1m candles of history needed before every indicator the rules read is ready */
  readonly warmupMinutes: number;
  /** how higher timeframes treat buckets with missing minutes (absent: `keep`) */
  readonly incompleteCandles?: IncompleteCandles;
  onCandle(timeframe: Timeframe, candle: Candle): void;
  isReady(): boolean;
  decide(position: PositionSide): Signal | null;
  /**
   * Optional: every signal of this bar, in submission order. When present TradingCore submits each
   * of them instead of decide()'s one. compat: legacy uses it for the original's "both entries on
   * one bar" (compat §6.1 steps 3–4); otherwise it returns decide()'s signal, if any.
   */
  decideSignals?(position: PositionSide): readonly Signal[];
  /** current value of every column the rules can read (for debugging and the UI) */
  columns(): Record<string, IndicatorValue>;
  /**
   * Optional, compat: legacy: true when the strategy reads higher timeframes by candle OPEN time
   * (the original's look-ahead, compat §3.3), which needs every 1m candle of the run before it
   * starts. The backtest path then hands them to prepareLookahead; a run that cannot see ahead
   * (paper trading) does not, and the strategy falls back to close-time alignment.
   */
  readonly needsLookahead?: boolean;
  prepareLookahead?(minuteCandles: readonly Candle[]): void;
}
