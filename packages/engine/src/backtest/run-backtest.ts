import { TradingCore, isLateCandle, type CoreEvent, type CoreInput, type CoreOrder, type CoreTrade, type TradingCoreOptions } from '../kernel/trading-core.js';
import type { Candle } from '../model/candle.js';
import type { StrategyLogic } from '../strategy/strategy-logic.js';
import { candleOf, prepareForRun, type BacktestInput, type LegacyLookahead } from './backtest-input.js';
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
  /** inputs of every kind the core processed (candles included) */
  inputsProcessed: number;
  /** inputs the core skipped as late (TradingCore.isLate): a repeated or out-of-order candle, an old trade or book */
  lateInputs: number;
  core: TradingCore;
}

export interface BacktestSettings {
  /** equity is sampled at the first candle close of every period this long (default: every 1m candle) */
  sampleEveryMs?: number;
  /** compat: legacy look-ahead: prepared from the whole input (default, as the CLI) or not (as paper trading); see LegacyLookahead */
  legacyLookahead?: LegacyLookahead;
  /** sees the core's events of every processed input, in order (for comparing a replay with what paper trading did) */
  onEvents?: (events: readonly CoreEvent[], input: BacktestInput) => void;
}

/**
 * The backtest path: runs a strategy over the paper trader's inputs (closed 1m candles, trades,
 * book updates, in time order; bare candles for a candle-only backtest) with the same TradingCore
 * the paper trader uses. Only the clock (the inputs' own times) and the source (an iterable) differ
 * from paper trading, so a recorded session replays to exactly the events paper trading had.
 * compat: legacy look-ahead is prepared here (see LegacyLookahead).
 */
export function runBacktest(logic: StrategyLogic, inputs: Iterable<BacktestInput>, options: TradingCoreOptions, settings: BacktestSettings = {}): BacktestResult {
  const run = prepareForRun(logic, inputs, settings.legacyLookahead);
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
  let candleCount = 0;
  let inputCount = 0;
  let late = 0;
  const step = settings.sampleEveryMs !== undefined && settings.sampleEveryMs > 0 ? settings.sampleEveryMs : 60_000;
  let nextSample = 0;
  let previous: Candle | null = null;
  const onEvents = settings.onEvents;
  for (const input of run) {
    const candle = candleOf(input);
    let events: CoreEvent[];
    if (candle !== null) {
      if (isLateCandle(candle, previous)) {
        late += 1;
        continue;
      }
      previous = candle;
      events = core.onMinuteCandle(candle);
    } else {
      const tick = input as Exclude<CoreInput, { kind: 'candle' }>;
      if (core.isLate(tick)) {
        late += 1;
        continue;
      }
      events = core.onInput(tick);
    }
    inputCount += 1;
    onEvents?.(events, input);
    for (const e of events) {
      if (e.type === 'trade') {
        trades.push(e.trade);
        tracker.add(e.trade);
        cash = e.trade.cashAfter.toNumber();
        qty = e.trade.positionAfter.toNumber();
      } else if (e.type === 'order-rejected') rejections.push(e);
      else if (e.type === 'order') orders.set(e.order.orderId, e.order);
    }
    if (candle === null) continue;
    if (qty !== 0) exposedMs += candle.closeTime - candle.openTime;
    if (candle.closeTime >= nextSample) {
      samples.push({ time: candle.closeTime, equity: cash + qty * candle.close });
      nextSample = Math.floor(candle.closeTime / step) * step + step;
    }
    candleCount += 1;
  }
  const statistics = computeStatistics({ initialEquity: initial, samples, trades: tracker.closed, feesPaid: core.ledger.feesPaid.toNumber(), exposedMs });
  return {
    trades,
    orders: [...orders.values()],
    roundTrips: tracker.closed,
    rejections,
    equityCurve: samples,
    statistics,
    candlesProcessed: candleCount,
    inputsProcessed: inputCount,
    lateInputs: late,
    core,
  };
}
