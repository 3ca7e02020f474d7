import type { Candle } from '../model/candle.js';
import { TradingCore, type CoreEvent, type CoreOrder, type CoreTrade, type TradingCoreOptions } from '../kernel/trading-core.js';
import type { StrategyLogic } from '../strategy/strategy-logic.js';
import { RoundTripTracker } from './round-trip-tracker.js';
import { computeStatistics, type ClosedTrade, type EquitySample, type PerformanceStatistics } from './statistics.js';

export interface BacktestResult {
  trades: CoreTrade[];
  /** every order in submission order, as it ended (or stands at the end of the data) */
  orders: CoreOrder[];
  roundTrips: ClosedTrade[];
  rejections: Extract<CoreEvent, { type: 'order-rejected' }>[];
  /** equity at the close of every entry-timeframe candle */
  equityCurve: EquitySample[];
  statistics: PerformanceStatistics;
  candlesProcessed: number;
  core: TradingCore;
}

/**
 * Runs a strategy over 1m candles with the same TradingCore the paper trader uses. Only the clock
 * (the candles' own times) and the source (an iterable) differ from paper trading.
 */
export function runBacktest(logic: StrategyLogic, candles: Iterable<Candle>, options: TradingCoreOptions, sampleEveryMs = 0): BacktestResult {
  const core = new TradingCore(logic, options);
  const trades: CoreTrade[] = [];
  const orders = new Map<string, CoreOrder>();
  const rejections: Extract<CoreEvent, { type: 'order-rejected' }>[] = [];
  const tracker = new RoundTripTracker();
  const samples: EquitySample[] = [];
  const initial = options.initialCash.toNumber();
  let cash = initial;
  let qty = 0;
  let exposedMs = 0;
  let n = 0;
  const step = sampleEveryMs > 0 ? sampleEveryMs : 60_000;
  let nextSample = 0;
  for (const candle of candles) {
    const events = core.onMinuteCandle(candle);
    for (const e of events) {
      if (e.type === 'trade') {
        trades.push(e.trade);
        tracker.add(e.trade);
        cash = e.trade.cashAfter.toNumber();
        qty = e.trade.positionAfter.toNumber();
      } else if (e.type === 'order-rejected') rejections.push(e);
      else if (e.type === 'order') orders.set(e.order.orderId, e.order);
    }
    if (qty !== 0) exposedMs += candle.closeTime - candle.openTime;
    if (candle.closeTime >= nextSample) {
      samples.push({ time: candle.closeTime, equity: cash + qty * candle.close });
      nextSample = Math.floor(candle.closeTime / step) * step + step;
    }
    n += 1;
  }
  const statistics = computeStatistics({ initialEquity: initial, samples, trades: tracker.closed, feesPaid: core.ledger.feesPaid.toNumber(), exposedMs });
  return { trades, orders: [...orders.values()], roundTrips: tracker.closed, rejections, equityCurve: samples, statistics, candlesProcessed: n, core };
}
