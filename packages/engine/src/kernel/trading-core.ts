import { Decimal, ZERO, dec, roundToIncrement, toDecimalString } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';
import { SeededRng } from '../core/rng.js';
import type { ExecutionModels } from '../execution/execution-models.js';
import { LiveBook, type BookUpdate, type TradePrint } from '../execution/live-book.js';
import {
  SimulatedExchange,
  fillQualityOf,
  type ExecutedFill,
  type ExecutionResult,
  type FillQuality,
  type OrderAmendment,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type RejectReason,
  type SimOrder,
} from '../execution/simulated-exchange.js';
import { Atr } from '../indicators/atr.js';
import type { Candle } from '../model/candle.js';
import type { Instrument } from '../model/instrument.js';
import { Ledger, type LedgerSnapshot, type Side } from '../portfolio/ledger.js';
import type { PositionSizer } from '../portfolio/position-sizer.js';
import type { PositionSide, Signal, StrategyLogic } from '../strategy/strategy-logic.js';
import { TimeframeFeed } from '../strategy/timeframe-feed.js';
import { captureState, restoreState, type StateImage } from './state-image.js';

/** Protective orders placed after an entry fills (from a config's risk_management). */
export interface RiskRules {
  /** stop distance as a fraction of the entry price */
  stopLossPct?: number | undefined;
  /** stop distance in ATR(14) of the entry timeframe; wins over stopLossPct once the ATR is ready */
  atrMultiplier?: number | undefined;
  minDistancePct?: number | undefined;
  maxDistancePct?: number | undefined;
  /** take-profit distance as a fraction of the entry price (closes the rest of the position) */
  takeProfitPct?: number | undefined;
  /** partial exits: at +level (fraction of entry) close `fraction` of the entry quantity */
  partialExits?: ReadonlyArray<{ level: number; fraction: number }>;
}

/**
 * Equity protection (a config's `equity_protection`, compat §6.6). At each entry bar the equity at
 * the bar's close (averaged with the previous smoothing_window − 1 smoothed values when
 * smoothing_window > 1) updates a peak; when the drawdown from that peak reaches the threshold the
 * position is closed and protection is active until the drawdown falls back under the threshold.
 */
export interface EquityProtectionRules {
  /** drawdown from the peak, as a fraction, at which protection triggers */
  drawdownThreshold: number;
  /** number of values averaged (1: the equity itself) */
  smoothingWindow: number;
  /**
   * while active: `block-entries` (default mode, compat §11 #11) refuses new entries only and the
   * strategy's exits still run; `suspend` (compat: legacy, the original) skips the whole per-bar
   * decision, exits included.
   */
  mode: 'block-entries' | 'suspend';
}

export interface TradingCoreOptions {
  strategyId: string;
  instrument: Instrument;
  initialCash: Decimal;
  models: ExecutionModels;
  sizer: PositionSizer;
  rngSeed: number;
  /** candles closing before this time only warm up indicators; no orders are decided. */
  tradingStartTime?: number;
  risk?: RiskRules | undefined;
  equityProtection?: EquityProtectionRules | undefined;
  /** prefix of order and trade ids (default: strategyId); a restarted paper strategy uses a new one so ids of runs never collide */
  idPrefix?: string;
}

/** One market input. Candles are closed 1m candles; book and trade inputs come from a live feed. */
export type CoreInput = { kind: 'candle'; candle: Candle } | { kind: 'book'; book: BookUpdate } | { kind: 'trade'; trade: TradePrint };

export interface CoreTrade extends ExecutedFill {
  tradeId: string;
}

/** An order as the outside world sees it (decimal strings), with its fill quality so far. */
export interface CoreOrder {
  orderId: string;
  side: Side;
  type: OrderType;
  quantity: string;
  limitPrice: string | null;
  stopPrice: string | null;
  reduceOnly: boolean;
  status: OrderStatus;
  filledQty: string;
  avgPrice: string | null;
  fees: string;
  reason: string;
  decidedAt: number;
  arrivesAt: number;
  triggeredAt: number | null;
  rejectReason: RejectReason | null;
  rejectMessage: string | null;
  updatedAt: number;
  quality: FillQuality;
}

export type CoreEvent =
  | { type: 'signal'; signal: Signal; time: number; price: number }
  | { type: 'order'; order: CoreOrder; change: 'submitted' | 'accepted' | 'triggered' | 'filled' | 'cancelled' | 'rejected' | 'amended' | 'amend-rejected' }
  | { type: 'order-rejected'; orderId: string; reason: RejectReason; message: string; time: number }
  | { type: 'trade'; trade: CoreTrade }
  | {
      type: 'equity-protection';
      change: 'triggered' | 'lifted';
      mode: EquityProtectionRules['mode'];
      time: number;
      /** the (smoothed) equity value compared with the peak */
      equity: number;
      peak: number;
      drawdown: number;
      threshold: number;
    };

export interface CoreSummary {
  time: number | null;
  lastPrice: number | null;
  ledger: LedgerSnapshot;
  equity: string;
  available: string;
  reserved: string;
  unrealizedPnl: string;
  tradeCount: number;
  orderCount: number;
  openOrders: number;
  ready: boolean;
}

/** The core's state that is not derived from indicators, for checksummed snapshots. */
export interface CoreSnapshot {
  time: number | null;
  lastPrice: number | null;
  ledger: LedgerSnapshot;
  orders: CoreOrder[];
  orderSeq: number;
  tradeSeq: number;
  rngState: number;
}

export function orderView(o: SimOrder): CoreOrder {
  return {
    orderId: o.id,
    side: o.side,
    type: o.type,
    quantity: toDecimalString(o.quantity),
    limitPrice: o.limitPrice === null ? null : toDecimalString(o.limitPrice),
    stopPrice: o.stopPrice === null ? null : toDecimalString(o.stopPrice),
    reduceOnly: o.reduceOnly,
    status: o.status,
    filledQty: toDecimalString(o.filledQty),
    avgPrice: o.filledQty.isZero() ? null : toDecimalString(o.filledNotional.div(o.filledQty).toDecimalPlaces(8)),
    fees: toDecimalString(o.fees),
    reason: o.reason,
    decidedAt: o.decidedAt,
    arrivesAt: o.arrivesAt,
    triggeredAt: o.triggeredAt,
    rejectReason: o.rejectReason,
    rejectMessage: o.rejectMessage,
    updatedAt: o.updatedAt,
    quality: fillQualityOf(o),
  };
}

/** A fill as the outside world sees it: exact decimal strings, without the account state after it. */
export interface CoreTradeView {
  tradeId: string;
  orderId: string;
  side: Side;
  quantity: string;
  price: string;
  fee: string;
  realizedPnl: string;
  reason: string;
  time: number;
  liquidity: CoreTrade['liquidity'];
  quality: CoreTrade['quality'];
  provenance: CoreTrade['provenance'];
}

export function tradeView(t: CoreTrade): CoreTradeView {
  return {
    tradeId: t.tradeId,
    orderId: t.orderId,
    side: t.side,
    quantity: toDecimalString(t.quantity),
    price: toDecimalString(t.price),
    fee: toDecimalString(t.fee),
    realizedPnl: toDecimalString(t.realizedPnl),
    reason: t.reason,
    time: t.time,
    liquidity: t.liquidity,
    quality: t.quality,
    provenance: t.provenance,
  };
}

const PROTECTIVE = new Set(['stop_loss', 'take_profit', 'partial_exit']);
/** the reason of the order a force exit sends */
export const FORCED_EXIT = 'forced';
/** classes a core instantiates after its construction (a restored image may hold them where a fresh core has none) */
const CLASSES_CREATED_WHILE_TRADING = [LiveBook];

/**
 * The one trading step shared by the backtester and the paper trader. Inputs, in time order: closed
 * 1m candles and, when a live feed provides them, book and trade updates. Per candle: (1) orders
 * that reached the venue fill (at the open, or along the O→H→L→C path for resting orders when no
 * ticks were seen), (2) higher timeframes are aggregated and fed to the strategy once closed, (3) at
 * the close of an entry candle the strategy decides and an order is submitted; it reaches the venue
 * after the seeded latency. Stops and targets from risk_management are placed after an entry
 * fills. The clock is the inputs' own time, so runs over the same inputs give identical events.
 */
export class TradingCore {
  readonly ledger: Ledger;
  private readonly exchange: SimulatedExchange;
  private readonly rng: SeededRng;
  private readonly feed: TimeframeFeed;
  private readonly costBuffer: Decimal;
  private readonly atr: Atr | null;
  private lastCandle: Candle | null = null;
  private lastTime = Number.NEGATIVE_INFINITY;
  private lastTickPrice: Decimal | null = null;
  private orderSeq = 0;
  private tradeSeq = 0;
  /** entry/exit orders decided by the strategy that are not done yet */
  private readonly working = new Set<string>();
  private readonly protective = new Set<string>();
  private entryOrderId: string | null = null;
  private protectionActive = false;
  private equityPeak = Number.NEGATIVE_INFINITY;
  private readonly smoothedEquity: number[] = [];

  constructor(
    readonly logic: StrategyLogic,
    private readonly options: TradingCoreOptions,
  ) {
    this.ledger = new Ledger(options.initialCash);
    this.rng = new SeededRng(options.rngSeed);
    this.exchange = new SimulatedExchange(options.instrument, options.models, this.rng);
    const probe = dec(1);
    this.costBuffer = options.models.fee.rate('taker').plus(options.models.slippage.fraction(probe, probe)).plus(options.models.spread.fraction()).times(2);
    this.atr = options.risk?.atrMultiplier !== undefined ? new Atr({ length: 14 }) : null;
    const atr = this.atr;
    this.feed = new TimeframeFeed(logic, atr === null ? null : (bar) => atr.update(bar));
  }

  get lastPrice(): number | null {
    return this.lastCandle?.close ?? null;
  }

  /**
   * Whether an input arrives too late to be processed: a candle that does not start after the last
   * candle (delivered twice, or a backfilled minute the run has passed), a book or trade older than
   * the last input. The paper trader and a replay of its log both skip these.
   */
  isLate(input: CoreInput): boolean {
    switch (input.kind) {
      case 'candle':
        return isLateCandle(input.candle, this.lastCandle);
      case 'book':
        return this.isLateTick(input.book.time);
      case 'trade':
        return this.isLateTick(input.trade.time);
    }
  }

  private isLateTick(time: number): boolean {
    return time < this.lastTime;
  }

  /** Any input kind; a late one (see isLate) is ignored. */
  onInput(input: CoreInput): CoreEvent[] {
    switch (input.kind) {
      case 'candle':
        return isLateCandle(input.candle, this.lastCandle) ? [] : this.onMinuteCandle(input.candle);
      case 'book':
        return this.onBook(input.book);
      case 'trade':
        return this.onTrade(input.trade);
    }
  }

  /** A book update. Updates older than the last input are ignored (late delivery). */
  onBook(book: BookUpdate): CoreEvent[] {
    if (this.isLateTick(book.time)) return [];
    this.lastTime = book.time;
    const events: CoreEvent[] = [];
    this.absorb(this.exchange.onBook(book, this.ledger), events);
    const mid = this.exchange.currentBook()?.mid();
    if (mid) this.lastTickPrice = mid;
    this.afterFills(book.time, events);
    return events;
  }

  /** A public trade. Trades older than the last input are ignored (late delivery). */
  onTrade(trade: TradePrint): CoreEvent[] {
    if (this.isLateTick(trade.time)) return [];
    this.lastTime = trade.time;
    const events: CoreEvent[] = [];
    this.absorb(this.exchange.onTrade(trade, this.ledger), events);
    this.lastTickPrice = trade.price;
    this.afterFills(trade.time, events);
    return events;
  }

  /** Processes one closed 1m candle and returns what happened, in order. */
  onMinuteCandle(candle: Candle): CoreEvent[] {
    const prev = this.lastCandle;
    if (prev !== null && isLateCandle(candle, prev)) {
      throw new InvariantError(`candle at ${candle.openTime} is not after the previous one (${prev.openTime})`);
    }
    if (!(candle.high >= candle.low) || !Number.isFinite(candle.close) || candle.close <= 0) {
      throw new InvariantError(`corrupt candle at ${candle.openTime}`);
    }
    const events: CoreEvent[] = [];
    this.absorb(this.exchange.onCandle(candle, this.ledger), events);
    this.lastCandle = candle;
    this.lastTime = Math.max(this.lastTime, candle.closeTime);

    const entryClosed = this.feed.add(candle);
    this.afterFills(candle.closeTime, events);
    if (entryClosed === null || candle.closeTime < (this.options.tradingStartTime ?? 0)) return events;
    // compat §6.1 step 1: equity protection before the strategy decides
    const protectedNow = this.updateProtection(entryClosed.close, candle.closeTime, events);
    if (protectedNow && this.options.equityProtection?.mode === 'suspend') return events;
    if (this.logic.isReady() && this.working.size === 0) {
      const position = this.positionSide();
      // while protection blocks entries, a flat account has nothing to decide; exits still run
      if (protectedNow && position === 'flat') return events;
      const signals = this.logic.decideSignals ? this.logic.decideSignals(position) : nonNull(this.logic.decide(position));
      for (const signal of signals) {
        events.push({ type: 'signal', signal, time: candle.closeTime, price: entryClosed.close });
        this.submitFor(signal, entryClosed.close, candle.closeTime, events);
      }
    }
    return events;
  }

  /** Sends an order of any type on behalf of the strategy (used by tests and by risk rules). */
  submitOrder(request: Omit<OrderRequest, 'id'>, events: CoreEvent[] = []): CoreOrder {
    this.orderSeq += 1;
    const order = this.exchange.submit({ ...request, id: `${this.options.idPrefix ?? this.options.strategyId}-o${this.orderSeq}` });
    const view = orderView(order);
    events.push({ type: 'order', order: view, change: order.status === 'rejected' ? 'rejected' : 'submitted' });
    return view;
  }

  cancelOrder(orderId: string, time: number, events: CoreEvent[] = []): void {
    const r = this.exchange.cancel(orderId, time, this.ledger);
    if (r) this.absorb([r], events);
  }

  /** Changes a working order's quantity or prices; it lands after the cancel/amend acknowledgement latency (SimulatedExchange.amend). */
  amendOrder(orderId: string, changes: OrderAmendment, time: number, events: CoreEvent[] = []): void {
    this.absorb(this.exchange.amend(orderId, changes, time, this.ledger), events);
  }

  openOrders(): CoreOrder[] {
    return this.exchange.activeOrders().map(orderView);
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
      available: toDecimalString(this.ledger.available),
      reserved: toDecimalString(this.ledger.reserved),
      unrealizedPnl: toDecimalString(mark ? this.ledger.unrealizedPnl(mark) : ZERO),
      tradeCount: this.tradeSeq,
      orderCount: this.orderSeq,
      openOrders: this.exchange.activeOrders().length,
      ready: this.logic.isReady(),
    };
  }

  /** Equity protection state (null when the strategy has none). */
  protectionState(): { active: boolean; peak: number | null; mode: EquityProtectionRules['mode'] } | null {
    const ep = this.options.equityProtection;
    if (!ep) return null;
    return { active: this.protectionActive, peak: Number.isFinite(this.equityPeak) ? this.equityPeak : null, mode: ep.mode };
  }

  /**
   * Everything this core holds (indicators, aggregators, book, orders, ledger, RNG), JSON-safe: a
   * core built from the same config and options and then given this image with `restoreImage`
   * continues exactly as this one would.
   */
  stateImage(): StateImage {
    return captureState(this);
  }

  /** Takes over the state of the core an image was taken from (this core must be freshly built from the same config). */
  restoreImage(image: StateImage): void {
    restoreState(this, image, CLASSES_CREATED_WHILE_TRADING);
  }

  snapshot(): CoreSnapshot {
    return {
      time: this.lastCandle?.closeTime ?? null,
      lastPrice: this.lastCandle?.close ?? null,
      ledger: this.ledger.snapshot(),
      orders: this.openOrders(),
      orderSeq: this.orderSeq,
      tradeSeq: this.tradeSeq,
      rngState: this.rng.getState(),
    };
  }

  private absorb(results: readonly ExecutionResult[], events: CoreEvent[]): void {
    for (const r of results) {
      const view = orderView(r.order);
      if (r.kind === 'filled') {
        this.tradeSeq += 1;
        events.push({
          type: 'trade',
          trade: { ...r.fill, tradeId: `${this.options.idPrefix ?? this.options.strategyId}-t${this.tradeSeq}` },
        });
        events.push({ type: 'order', order: view, change: 'filled' });
      } else if (r.kind === 'rejected') {
        events.push({ type: 'order', order: view, change: 'rejected' });
        events.push({ type: 'order-rejected', orderId: r.order.id, reason: r.reason, message: r.message, time: r.order.updatedAt });
      } else {
        events.push({ type: 'order', order: view, change: r.kind });
      }
      if (r.order.status !== 'pending' && r.order.status !== 'open') {
        this.working.delete(r.order.id);
        this.protective.delete(r.order.id);
      }
    }
  }

  /** Risk rules after fills: protect a new position, clean up when it is closed. */
  private afterFills(time: number, events: CoreEvent[]): void {
    const q = this.ledger.quantity;
    if (q.isZero()) {
      for (const id of [...this.protective]) this.cancelOrder(id, time, events);
      if (this.entryOrderId !== null && !this.working.has(this.entryOrderId)) this.entryOrderId = null;
      return;
    }
    const entry = this.entryOrderId;
    if (entry !== null && !this.working.has(entry) && this.protective.size === 0) {
      this.entryOrderId = null;
      this.placeProtection(time, events);
    }
  }

  private placeProtection(time: number, events: CoreEvent[]): void {
    const risk = this.options.risk;
    if (!risk) return;
    const q = this.ledger.quantity;
    const long = q.isPositive();
    const entry = this.ledger.avgEntryPrice;
    const inst = this.options.instrument;
    const exitSide: Side = long ? 'sell' : 'buy';
    const decisionPrice = this.lastTickPrice?.toNumber() ?? this.lastCandle?.close ?? entry.toNumber();
    const away = (fraction: Decimal, favourable: boolean) => {
      const up = long === favourable;
      const raw = up ? entry.times(fraction.plus(1)) : entry.times(new Decimal(1).minus(fraction));
      return roundToIncrement(raw, inst.tickSize, 'nearest');
    };
    let stopFraction: Decimal | null = risk.stopLossPct !== undefined && risk.stopLossPct > 0 ? dec(risk.stopLossPct) : null;
    if (this.atr !== null && this.atr.isReady() && risk.atrMultiplier !== undefined) {
      const atr = this.atr.values[0];
      if (typeof atr === 'number' && Number.isFinite(atr) && atr > 0) stopFraction = dec(atr).times(dec(risk.atrMultiplier)).div(entry);
    }
    if (stopFraction !== null) {
      if (risk.minDistancePct !== undefined) stopFraction = Decimal.max(stopFraction, dec(risk.minDistancePct));
      if (risk.maxDistancePct !== undefined) stopFraction = Decimal.min(stopFraction, dec(risk.maxDistancePct));
      const v = this.submitOrder({ side: exitSide, type: 'stop_market', quantity: q.abs(), stopPrice: away(stopFraction, false), reduceOnly: true, decisionPrice, decidedAt: time, reason: 'stop_loss' }, events);
      if (v.status !== 'rejected') this.protective.add(v.orderId);
    }
    for (const p of risk.partialExits ?? []) {
      const qty = roundToIncrement(q.abs().times(dec(p.fraction)), inst.stepSize, 'down');
      if (qty.lessThan(inst.minQty)) continue;
      const v = this.submitOrder({ side: exitSide, type: 'limit', quantity: qty, limitPrice: away(dec(p.level), true), reduceOnly: true, decisionPrice, decidedAt: time, reason: 'partial_exit' }, events);
      if (v.status !== 'rejected') this.protective.add(v.orderId);
    }
    if (risk.takeProfitPct !== undefined && risk.takeProfitPct > 0) {
      const v = this.submitOrder({ side: exitSide, type: 'limit', quantity: q.abs(), limitPrice: away(dec(risk.takeProfitPct), true), reduceOnly: true, decisionPrice, decidedAt: time, reason: 'take_profit' }, events);
      if (v.status !== 'rejected') this.protective.add(v.orderId);
    }
  }

  /** Updates the equity peak at an entry bar's close; returns whether protection is active. */
  private updateProtection(close: number, time: number, events: CoreEvent[]): boolean {
    const ep = this.options.equityProtection;
    if (!ep) return false;
    const raw = this.ledger.equity(dec(close)).toNumber();
    let value = raw;
    const window = Math.max(1, Math.floor(ep.smoothingWindow));
    if (window > 1) {
      let sum = raw;
      const prev = this.smoothedEquity.slice(-(window - 1));
      for (const v of prev) sum += v;
      value = sum / (prev.length + 1);
      this.smoothedEquity.push(value);
      if (this.smoothedEquity.length > window) this.smoothedEquity.shift();
    }
    if (value > this.equityPeak) this.equityPeak = value;
    const peak = this.equityPeak;
    const drawdown = peak > 0 ? (peak - value) / peak : 0;
    const detail = { mode: ep.mode, time, equity: value, peak, drawdown, threshold: ep.drawdownThreshold };
    if (!this.protectionActive && drawdown >= ep.drawdownThreshold) {
      this.protectionActive = true;
      events.push({ type: 'equity-protection', change: 'triggered', ...detail });
      this.flattenForProtection(close, time, events);
    } else if (this.protectionActive && drawdown < ep.drawdownThreshold) {
      this.protectionActive = false;
      events.push({ type: 'equity-protection', change: 'lifted', ...detail });
    }
    return this.protectionActive;
  }

  /** Protection triggered: cancel the strategy's working and protective orders and close the position at market. */
  private flattenForProtection(price: number, time: number, events: CoreEvent[]): void {
    this.flatten(price, time, 'equity_protection', events);
  }

  /**
   * A force exit asked by a person: the same flattening as equity protection (working and protective
   * orders cancelled, the position closed by a market order through the simulated exchange), at the
   * last input's time and price, with the reason `forced`. Nothing happens when flat or before any input.
   */
  forceExit(events: CoreEvent[] = []): CoreEvent[] {
    const price = this.lastTickPrice?.toNumber() ?? this.lastCandle?.close;
    if (price === undefined || !Number.isFinite(this.lastTime) || this.ledger.quantity.isZero()) return events;
    this.flatten(price, this.lastTime, FORCED_EXIT, events);
    return events;
  }

  private flatten(price: number, time: number, reason: string, events: CoreEvent[]): void {
    for (const id of [...this.working, ...this.protective]) this.cancelOrder(id, time, events);
    this.entryOrderId = null;
    const q = this.ledger.quantity;
    if (q.isZero()) return;
    const view = this.submitOrder({ side: q.isPositive() ? 'sell' : 'buy', type: 'market', quantity: q.abs(), reduceOnly: true, decisionPrice: price, decidedAt: time, reason }, events);
    if (view.status !== 'rejected') this.working.add(view.orderId);
  }

  private submitFor(signal: Signal, price: number, time: number, events: CoreEvent[]): void {
    let side: Side;
    let quantity: Decimal;
    const exit = signal === 'exit_long' || signal === 'exit_short';
    if (exit) {
      for (const id of [...this.protective]) this.cancelOrder(id, time, events);
      side = signal === 'exit_long' ? 'sell' : 'buy';
      quantity = this.ledger.quantity.abs();
    } else {
      side = signal === 'entry_long' ? 'buy' : 'sell';
      const p = dec(price);
      quantity = this.options.sizer.size({ equity: this.ledger.equity(p), cash: this.ledger.available, price: p, instrument: this.options.instrument, costBuffer: this.costBuffer });
    }
    if (quantity.isZero()) return;
    const view = this.submitOrder({ side, type: 'market', quantity, reduceOnly: exit, decisionPrice: price, decidedAt: time, reason: signal }, events);
    if (view.status === 'rejected') return;
    this.working.add(view.orderId);
    if (!exit) this.entryOrderId = view.orderId;
  }
}

/** A 1m candle that does not start at or after the previous one's close (the core's order rule). */
export function isLateCandle(candle: Candle, previous: Candle | null): boolean {
  return previous !== null && candle.openTime < previous.closeTime;
}

function nonNull(signal: Signal | null): readonly Signal[] {
  return signal === null ? [] : [signal];
}

export { PROTECTIVE as PROTECTIVE_REASONS };
