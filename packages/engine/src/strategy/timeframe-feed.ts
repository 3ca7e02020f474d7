import { CandleAggregator } from '../candles/candle-aggregator.js';
import type { Candle } from '../model/candle.js';
import type { StrategyLogic } from './strategy-logic.js';

/**
 * Feeds closed 1m candles to a strategy the way TradingCore does (every timeframe it reads built
 * from 1m, fastest first, each candle once it has closed), without trading. For tools that need
 * the strategy's columns per entry bar (`btc-research indicators`).
 */
export class TimeframeFeed {
  private readonly aggregators: Array<{ timeframe: StrategyLogic['entryTimeframe']; aggregator: CandleAggregator | null }>;

  constructor(private readonly logic: StrategyLogic) {
    this.aggregators = logic.timeframes.map((tf) => ({ timeframe: tf, aggregator: tf === '1m' ? null : new CandleAggregator(tf, logic.incompleteCandles) }));
  }

  /** Adds one closed 1m candle; returns the entry-timeframe candle that closed with it, if any. */
  add(minute: Candle): Candle | null {
    let entryClosed: Candle | null = null;
    for (const { timeframe, aggregator } of this.aggregators) {
      const closed = aggregator === null ? [minute] : aggregator.add(minute);
      for (const c of closed) {
        this.logic.onCandle(timeframe, c);
        if (timeframe === this.logic.entryTimeframe) entryClosed = c;
      }
    }
    return entryClosed;
  }
}
