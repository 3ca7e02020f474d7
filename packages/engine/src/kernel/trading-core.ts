import { CandleAggregator } from '../candles/candle-aggregator.js';
import type { Timeframe } from '../candles/timeframe.js';
import { Decimal, ZERO, dec, toDecimalString } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';
import { SeededRng } from '../core/rng.js';
import type { ExecutionModels } from '../execution/execution-models.js';
import { SimulatedExchange, type ExecutedFill, type RejectReason } from '../execution/simulated-exchange.js';
import type { Candle } from '../model/candle.js';
import type { Instrument } from '../model/instrument.js';
import { Ledger, type LedgerSnapshot, type Side } from '../portfolio/ledger.js';
import type { PositionSizer } from '../portfolio/position-sizer.js';
import type { PositionSide, Signal, StrategyLogic } from '../strategy/strategy-logic.js';

export interface TradingCoreOptions {
  strategyId: string;
  instrument: Instrument;
  initialCash: Decimal;
  models: ExecutionModels;
  sizer: PositionSizer;
  rngSeed: number;
  /** candles closing before this time only warm up indicators; no orders are decided. */
  tradingStartTime?: number;
}

export interface CoreTrade extends ExecutedFill {
  tradeId: string;
  positionAfter: Decimal;
  cashAfter: Decimal;
}

export type CoreEvent =
  | { type: 'signal'; signal: Signal; time: number; price: number }
  | { type: 'order-rejected'; orderId: string; reason: RejectReason; message: string; time: number }
  | { type: 'trade'; trade: CoreTrade };

export interface CoreSummary {
  time: number | null;
  lastPrice: number | null;
  ledger: LedgerSnapshot;
  equity: string;
  unrealizedPnl: string;
  tradeCount: number;
  orderCount: number;
  ready: boolean;
}

/**
 * The one trading step shared by the backtester and the paper trader. Input: closed 1m candles in
 * time order. Per candle: (1) orders decided earlier fill at this candle's open, (2) higher
 * timeframes are aggregated and fed to the strategy once closed, (3) at the close of an entry
 * candle the strategy decides and an order is submitted; it fills on a later candle. The clock is
 * the candles' own time, so backtest and paper runs over the same candles give identical events.
 */
export class TradingCore {
  readonly ledger: Ledger;
  private readonly exchange: SimulatedExchange;
  private readonly aggregators: Array<{ timeframe: Timeframe; aggregator: CandleAggregator | null }>;
  private readonly costBuffer: Decimal;
  private lastCandle: Candle | null = null;
  private orderSeq = 0;
  private tradeSeq = 0;

  constructor(
    readonly logic: StrategyLogic,
    private readonly options: TradingCoreOptions,
  ) {
    this.ledger = new Ledger(options.initialCash);
    this.exchange = new SimulatedExchange(options.instrument, options.models, new SeededRng(options.rngSeed));
    this.aggregators = logic.timeframes.map((tf) => ({ timeframe: tf, aggregator: tf === '1m' ? null : new CandleAggregator(tf) }));
    const probe = dec(1);
    this.costBuffer = options.models.fee.rate('taker').plus(options.models.slippage.fraction(probe, probe)).plus(options.models.spread.fraction()).times(2);
  }

  get lastPrice(): number | null {
    return this.lastCandle?.close ?? null;
  }

  /** Processes one closed 1m candle and returns what happened, in order. */
  onMinuteCandle(candle: Candle): CoreEvent[] {
    const prev = this.lastCandle;
    if (prev !== null && candle.openTime < prev.closeTime) {
      throw new InvariantError(`candle at ${candle.openTime} is not after the previous one (${prev.openTime})`);
    }
    if (!(candle.high >= candle.low) || !Number.isFinite(candle.close) || candle.close <= 0) {
      throw new InvariantError(`corrupt candle at ${candle.openTime}`);
    }
    const events: CoreEvent[] = [];
    for (const result of this.exchange.onCandleOpen(candle, this.ledger)) {
      if (result.kind === 'filled') {
        this.tradeSeq += 1;
        events.push({
          type: 'trade',
          trade: { ...result.fill, tradeId: `${this.options.strategyId}-t${this.tradeSeq}`, positionAfter: this.ledger.quantity, cashAfter: this.ledger.cash },
        });
      } else {
        events.push({ type: 'order-rejected', orderId: result.order.id, reason: result.reason, message: result.message, time: candle.openTime });
      }
    }
    this.lastCandle = candle;

    let entryClosed: Candle | null = null;
    for (const { timeframe, aggregator } of this.aggregators) {
      const closed = aggregator === null ? [candle] : aggregator.add(candle);
      for (const c of closed) {
        this.logic.onCandle(timeframe, c);
        if (timeframe === this.logic.entryTimeframe) entryClosed = c;
      }
    }
    if (entryClosed !== null && this.logic.isReady() && candle.closeTime >= (this.options.tradingStartTime ?? 0) && !this.exchange.hasPending()) {
      const signal = this.logic.decide(this.positionSide());
      if (signal !== null) {
        events.push({ type: 'signal', signal, time: candle.closeTime, price: entryClosed.close });
        this.submitFor(signal, entryClosed.close, candle.closeTime);
      }
    }
    return events;
  }

  positionSide(): PositionSide {
    const q = this.ledger.quantity;
    return q.isZero() ? 'flat' : q.isPositive() ? 'long' : 'short';
  }

  summary(): CoreSummary {
    const mark = this.lastCandle ? dec(this.lastCandle.close) : null;
    const equity = mark ? this.ledger.equity(mark) : this.ledger.cash;
    return {
      time: this.lastCandle?.closeTime ?? null,
      lastPrice: this.lastCandle?.close ?? null,
      ledger: this.ledger.snapshot(),
      equity: toDecimalString(equity),
      unrealizedPnl: toDecimalString(mark ? this.ledger.unrealizedPnl(mark) : ZERO),
      tradeCount: this.tradeSeq,
      orderCount: this.orderSeq,
      ready: this.logic.isReady(),
    };
  }

  private submitFor(signal: Signal, price: number, time: number): void {
    let side: Side;
    let quantity: Decimal;
    if (signal === 'exit_long' || signal === 'exit_short') {
      side = signal === 'exit_long' ? 'sell' : 'buy';
      quantity = this.ledger.quantity.abs();
    } else {
      side = signal === 'entry_long' ? 'buy' : 'sell';
      const p = dec(price);
      quantity = this.options.sizer.size({ equity: this.ledger.equity(p), cash: this.ledger.cash, price: p, instrument: this.options.instrument, costBuffer: this.costBuffer });
    }
    if (quantity.isZero()) return;
    this.orderSeq += 1;
    this.exchange.submitMarket({ id: `${this.options.strategyId}-o${this.orderSeq}`, side, quantity, decisionPrice: price, decidedAt: time, reason: signal });
  }
}
