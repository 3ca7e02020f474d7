import type { IndicatorValue } from '../indicators/indicator.js';
import { isLateCandle } from '../kernel/trading-core.js';
import type { Candle } from '../model/candle.js';
import type { StrategyLogic } from '../strategy/strategy-logic.js';
import { TimeframeFeed } from '../strategy/timeframe-feed.js';
import { prepareForRun, type LegacyLookahead } from './backtest-input.js';

/** One closed entry-timeframe bar and what the rules could read at its close. */
export interface StrategyBar {
  bar: Candle;
  /** whether the strategy was ready to decide (every gating indicator ready, lags filled) */
  ready: boolean;
  columns: Record<string, IndicatorValue>;
}

/**
 * Every entry-timeframe bar that closes over closed 1m `candles`, with what the rules see at its
 * close, through the same TimeframeFeed (and the same legacy look-ahead preparation) as a backtest,
 * without trading: what `btc-research indicators` writes. Late candles are skipped as the core does.
 */
export function* strategyBars(logic: StrategyLogic, candles: Iterable<Candle>, lookahead: LegacyLookahead = 'whole-input'): Generator<StrategyBar> {
  const feed = new TimeframeFeed(logic);
  let previous: Candle | null = null;
  for (const c of prepareForRun(logic, candles, lookahead)) {
    if (isLateCandle(c, previous)) continue;
    previous = c;
    const bar = feed.add(c);
    if (bar !== null) yield { bar, ready: logic.isReady(), columns: logic.columns() };
  }
}
