import { CandleAggregator } from '../candles/candle-aggregator.js';
import type { Timeframe } from '../candles/timeframe.js';
import type { Candle } from '../model/candle.js';
import type { StrategyLogic } from './strategy-logic.js';

/**
 * The one multi-timeframe loop: feeds closed 1m candles to a strategy with every timeframe it reads
 * built from them, fastest first, each candle once it has closed. TradingCore trades through it, and
 * strategyBars (behind `btc-research indicators`) reads the strategy's columns through it.
 */
export class TimeframeFeed {
  private readonly aggregators: Array<{ timeframe: Timeframe; aggregator: CandleAggregator | null }>;

  /** `onEntryBar` sees every entry-timeframe candle that closes, right after the strategy did (a gap can close two at once). */
  constructor(
    private readonly logic: StrategyLogic,
    private readonly onEntryBar: ((bar: Candle) => void) | null = null,
  ) {
    this.aggregators = logic.timeframes.map((tf) => ({ timeframe: tf, aggregator: tf === '1m' ? null : new CandleAggregator(tf, logic.incompleteCandles) }));
  }

  /** Adds one closed 1m candle; returns the last entry-timeframe candle that closed with it, if any. */
  add(minute: Candle): Candle | null {
    let entryClosed: Candle | null = null;
    for (const { timeframe, aggregator } of this.aggregators) {
      const closed = aggregator === null ? [minute] : aggregator.add(minute);
      for (const c of closed) {
        this.logic.onCandle(timeframe, c);
        if (timeframe === this.logic.entryTimeframe) {
          entryClosed = c;
          this.onEntryBar?.(c);
        }
      }
    }
    return entryClosed;
  }
}
