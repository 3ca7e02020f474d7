import { isLateCandle, type CoreInput } from '../kernel/trading-core.js';
import type { Candle } from '../model/candle.js';
import type { StrategyLogic } from '../strategy/strategy-logic.js';

/**
 * What the backtest path consumes: the paper trader's inputs (closed 1m candles, trades, book
 * updates; a recorded session decoded with decodeRecordedInput) or bare closed 1m candles, which
 * stand for candle inputs.
 */
export type BacktestInput = CoreInput | Candle;

/**
 * compat: legacy's look-ahead (StrategyLogic.needsLookahead) in a run:
 * - `whole-input` (default): prepared from every candle of the input before the run, as
 *   `btc-research backtest` and the original do; the input is read into memory first.
 * - `incremental`: not prepared; the strategy sees the input one at a time as paper trading does
 *   (close-time alignment). For replaying a paper strategy's recorded log.
 */
export type LegacyLookahead = 'whole-input' | 'incremental';

/** The candle of an input, null for a trade or book. */
export function candleOf(input: BacktestInput): Candle | null {
  if (!('kind' in input)) return input;
  return input.kind === 'candle' ? input.candle : null;
}

/**
 * Prepares the strategy's legacy look-ahead from the input's candles when it needs one and the run
 * may see the whole input; returns the input to run over (the same, or read into an array once).
 * Late candles are left out, as the core skips them.
 */
export function prepareForRun<T extends BacktestInput>(logic: StrategyLogic, inputs: Iterable<T>, lookahead: LegacyLookahead = 'whole-input'): Iterable<T> {
  if (lookahead === 'incremental' || logic.needsLookahead !== true || logic.prepareLookahead === undefined) return inputs;
  const all = Array.isArray(inputs) ? (inputs as readonly T[]) : [...inputs];
  const candles: Candle[] = [];
  for (const x of all) {
    const c = candleOf(x);
    if (c !== null && !isLateCandle(c, candles.at(-1) ?? null)) candles.push(c);
  }
  logic.prepareLookahead(candles);
  return all;
}
