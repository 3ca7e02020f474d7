import { Decimal, ZERO, dec, roundToIncrement, toDecimalString } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';
import type { SeededRng } from '../core/rng.js';
import type { Candle } from '../model/candle.js';
import type { Instrument } from '../model/instrument.js';
import type { Ledger, Side } from '../portfolio/ledger.js';
import type { ExecutionModels } from './execution-models.js';
import type { FundsContext } from './funds-models.js';
import { LiveBook, type BookUpdate, type TradePrint } from './live-book.js';

export type OrderType = 'market' | 'limit' | 'stop_market' | 'stop_limit';
export type OrderStatus = 'pending' | 'open' | 'filled' | 'cancelled' | 'rejected';
export type Liquidity = 'maker' | 'taker';

export type RejectReason =
  | 'INSUFFICIENT_BALANCE'
  | 'BELOW_MIN_NOTIONAL'
  | 'BELOW_MIN_QUANTITY'
  | 'INVALID_QUANTITY_STEP'
  | 'INVALID_PRICE_TICK'
  | 'INVALID_PRICE'
  | 'STALE_MARKET_DATA'
  | 'REDUCE_ONLY_NO_POSITION'
  | 'DUPLICATE_ORDER_ID';

export interface OrderRequest {
  id: string;
  side: Side;
  type: OrderType;
  quantity: Decimal;
  /** limit and stop_limit */
  limitPrice?: Decimal | null;
  /** stop_market and stop_limit: the trigger */
  stopPrice?: Decimal | null;
  /** never increases or flips the position; clamped to the position at fill time */
  reduceOnly?: boolean;
  /** the price the decision was taken on */
  decisionPrice: number;
  decidedAt: number;
  reason: string;
}

/** An order at the simulated venue. Money fields are exact decimals. */
export interface SimOrder {
  readonly id: string;
  readonly side: Side;
  readonly type: OrderType;
  /** quantity and prices change only by an acknowledged amendment (`amend`) */
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  readonly reduceOnly: boolean;
  readonly decisionPrice: Decimal;
  readonly decidedAt: number;
  readonly reason: string;
  /** simulated acknowledgement latency and the time the order reaches the venue */
  readonly latencyMs: number;
  readonly arrivesAt: number;
  status: OrderStatus;
  filledQty: Decimal;
  /** Σ quantity × price of its fills */
  filledNotional: Decimal;
  fees: Decimal;
  /** mid price when the order reached the venue */
  arrivalMid: Decimal | null;
  /** book levels its book fills took (modelled fills take none) */
  levelsConsumed: number;
  fillCount: number;
  triggeredAt: number | null;
  rejectReason: RejectReason | null;
  rejectMessage: string | null;
  updatedAt: number;
  /** resting limits: the venue's quantity ahead of it at its price (null: unknown or not tracked, see QueueModel) */
  queueAhead: Decimal | null;
  /** a cancel sent and not yet acknowledged: it lands at `at`; until then the order can still fill */
  cancelRequest: { at: number; reason: string } | null;
  /** an amendment sent and not yet acknowledged: it lands at `at`; until then the order trades as it was */
  amendRequest: { at: number; changes: OrderAmendment } | null;
}

/** New quantity (total, filled part included) and/or prices of a working order. */
export interface OrderAmendment {
  quantity?: Decimal;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
}

/**
 * Where a fill's price and quantity came from. `book`: observed market data at the venue (levels of
 * a live book walked, a resting limit crossed by the book or traded through by public trades).
 * `modelled`: derived from a model because no fresh book was known (a candle's open or a trade's
 * price moved by the modelled spread and slippage, or a resting order settled along a candle's
 * O→H→L→C path).
 */
export type FillSource = 'book' | 'modelled';

/**
 * Which rule produced the fill (docs/execution.md):
 *  - book-walk: a taker walking the book's levels (one fill per level);
 *  - book-cross: a resting limit the book crossed;
 *  - trade-through: a resting limit a public trade printed strictly through;
 *  - queue-position: a resting limit filled by trades at its price once the volume ahead of it traded;
 *  - candle-open: a taker at a candle's open ± half the modelled spread and the slippage;
 *  - trade-price: a taker at a public trade's price ± half the modelled spread and the slippage;
 *  - candle-path: a resting order settled along the candle's O→H→L→C path (takers after a stop
 *    triggers get the modelled spread and slippage, limits their own price).
 */
export type FillModel = 'book-walk' | 'book-cross' | 'trade-through' | 'queue-position' | 'candle-open' | 'trade-price' | 'candle-path';

export interface FillProvenance {
  source: FillSource;
  model: FillModel;
}

export interface FillQuality {
  decisionPrice: string;
  arrivalMid: string;
  vwap: string;
  slippageBps: string;
  latencyMs: number;
  levelsConsumed: number;
}

export interface ExecutedFill {
  orderId: string;
  side: Side;
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
  liquidity: Liquidity;
  realizedPnl: Decimal;
  /** the account right after this fill */
  positionAfter: Decimal;
  cashAfter: Decimal;
  time: number;
  reason: string;
  /** the order's fill quality including this fill */
  quality: FillQuality;
  /** book or modelled, and by which rule */
  provenance: FillProvenance;
}

export type ExecutionResult =
  | { kind: 'filled'; fill: ExecutedFill; order: SimOrder }
  | { kind: 'accepted'; order: SimOrder }
  | { kind: 'triggered'; order: SimOrder }
  | { kind: 'cancelled'; order: SimOrder; reason: string }
  | { kind: 'amended'; order: SimOrder }
  | { kind: 'amend-rejected'; order: SimOrder; reason: string }
  | { kind: 'rejected'; order: SimOrder; reason: RejectReason; message: string };

/**
 * Fill quality of an order so far: decision price, arrival mid, VWAP, and slippage of the VWAP
 * against the arrival mid in bps (positive = worse; the drift from decision to arrival is the
 * difference of the first two).
 */
export function fillQualityOf(order: SimOrder): FillQuality {
  const vwap = order.filledQty.isZero() ? ZERO : order.filledNotional.div(order.filledQty);
  const d = order.arrivalMid ?? order.decisionPrice;
  const bps = order.filledQty.isZero() || d.isZero() ? ZERO : (order.side === 'buy' ? vwap.minus(d) : d.minus(vwap)).div(d).times(10_000);
  return {
    decisionPrice: toDecimalString(order.decisionPrice),
    arrivalMid: order.arrivalMid === null ? '0' : toDecimalString(order.arrivalMid),
    vwap: toDecimalString(vwap.toDecimalPlaces(8)),
    slippageBps: toDecimalString(bps.toDecimalPlaces(4)),
    latencyMs: order.latencyMs,
    levelsConsumed: order.levelsConsumed,
  };
}

/** Where the price for a taker execution comes from (for a model: the price it starts from). */
type PriceSource = { kind: 'book'; book: LiveBook } | { kind: 'model'; mid: Decimal; time: number; basis: 'candle-open' | 'trade-price' | 'candle-path' };

const ONE = new Decimal(1);
const BOOK_WALK: FillProvenance = { source: 'book', model: 'book-walk' };
const BOOK_CROSS: FillProvenance = { source: 'book', model: 'book-cross' };
const TRADE_THROUGH: FillProvenance = { source: 'book', model: 'trade-through' };
const CANDLE_PATH: FillProvenance = { source: 'modelled', model: 'candle-path' };

/**
 * The venue simulation shared by backtests and paper trading. Orders reach it after a seeded
 * latency and are then checked against the instrument rules and the account. Executions:
 *  - with a fresh live book: takers walk the levels (partial fills at several prices), the taken
 *    quantity stays consumed until the next book; resting limits fill at their price as maker when
 *    trades print through them or the book crosses them;
 *  - with candles only: takers fill at the open ± half the modelled spread and the slippage model;
 *    resting orders are settled along the O→H→L→C path of each candle (limits when the path goes
 *    through them, stops when it reaches them).
 * Everything is deterministic for the same inputs and seed.
 */
export class SimulatedExchange {
  private readonly active = new Map<string, SimOrder>();
  private readonly known = new Set<string>();
  private book: LiveBook | null = null;
  private lastTickTime = Number.NEGATIVE_INFINITY;
  private lastDataTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly instrument: Instrument,
    private readonly models: ExecutionModels,
    private readonly rng: SeededRng,
  ) {}

  /** Sends an order; it reaches the venue after the sampled latency (status `pending` until then). */
  submit(request: OrderRequest): SimOrder {
    const latencyMs = this.models.latency.sampleMs(this.rng);
    const order: SimOrder = {
      id: request.id,
      side: request.side,
      type: request.type,
      quantity: request.quantity,
      limitPrice: request.limitPrice ?? null,
      stopPrice: request.stopPrice ?? null,
      reduceOnly: request.reduceOnly ?? false,
      decisionPrice: dec(request.decisionPrice),
      decidedAt: request.decidedAt,
      reason: request.reason,
      latencyMs,
      arrivesAt: request.decidedAt + latencyMs,
      status: 'pending',
      filledQty: ZERO,
      filledNotional: ZERO,
      fees: ZERO,
      arrivalMid: null,
      levelsConsumed: 0,
      fillCount: 0,
      triggeredAt: null,
      rejectReason: null,
      rejectMessage: null,
      updatedAt: request.decidedAt,
      queueAhead: null,
      cancelRequest: null,
      amendRequest: null,
    };
    if (this.known.has(order.id)) {
      order.status = 'rejected';
      order.rejectReason = 'DUPLICATE_ORDER_ID';
      order.rejectMessage = `order id ${order.id} was used before`;
      return order;
    }
    this.known.add(order.id);
    this.active.set(order.id, order);
    return order;
  }

  /** Convenience for a market order. */
  submitMarket(request: Omit<OrderRequest, 'type'>): SimOrder {
    return this.submit({ ...request, type: 'market' });
  }

  /**
   * Cancels an order that is not done yet and releases what it reserved, once the cancel reaches the
   * venue: at once with the default cancel latency (the result is returned), otherwise after the
   * sampled latency (null now; the `cancelled` result comes with the first input at or after that
   * time, and inputs before it can still fill the order). Sending it again changes nothing.
   */
  cancel(orderId: string, time: number, ledger: Ledger, reason = 'cancelled'): ExecutionResult | null {
    const order = this.active.get(orderId);
    if (!order || (order.cancelRequest ?? null) !== null) return null;
    const latencyMs = this.models.cancelLatency.sampleMs(this.rng);
    if (latencyMs > 0) {
      order.cancelRequest = { at: time + latencyMs, reason };
      return null;
    }
    this.finish(order, 'cancelled', time, ledger);
    return { kind: 'cancelled', order, reason };
  }

  /**
   * Changes a working order's quantity or prices once the amendment reaches the venue, after the
   * same acknowledgement latency as a cancel (at once by default: the results are returned, with
   * the fills of a limit moved through the book; otherwise none now, and they come with the first
   * input at or after it lands; until then the order trades as it was). One amendment in flight at a time. A new price
   * or a larger quantity loses the order's place in the queue; a smaller one keeps it.
   */
  amend(orderId: string, changes: OrderAmendment, time: number, ledger: Ledger): ExecutionResult[] {
    const order = this.active.get(orderId);
    if (!order) return [];
    if ((order.amendRequest ?? null) !== null || (order.cancelRequest ?? null) !== null) {
      return [{ kind: 'amend-rejected', order, reason: `an amendment or cancel of ${order.id} is still on its way` }];
    }
    const latencyMs = this.models.cancelLatency.sampleMs(this.rng);
    if (latencyMs > 0) {
      order.amendRequest = { at: time + latencyMs, changes };
      return [];
    }
    const results: ExecutionResult[] = [];
    this.applyAmendment(order, changes, time, ledger, results);
    return results;
  }

  activeOrders(): SimOrder[] {
    return [...this.active.values()];
  }

  hasPending(): boolean {
    return this.active.size > 0;
  }

  pendingOrders(): readonly SimOrder[] {
    return this.activeOrders();
  }

  currentBook(): LiveBook | null {
    return this.book;
  }

  /** A new view of the book: orders that arrived before it are executed first (against the previous book when it was still fresh). */
  onBook(update: BookUpdate, ledger: Ledger): ExecutionResult[] {
    const results: ExecutionResult[] = [];
    const next = new LiveBook(update);
    this.arrive(update.time, ledger, results, (arrivesAt) => this.freshBookAt(arrivesAt) ?? { kind: 'book', book: next });
    this.landCancels(update.time, ledger, results);
    this.book = next;
    this.lastDataTime = Math.max(this.lastDataTime, update.time);
    this.lastTickTime = Math.max(this.lastTickTime, update.time);
    // resting orders against the new book
    for (const order of this.activeOrders()) {
      if (order.status !== 'open') continue;
      this.restingAgainstBook(order, next, update.time, ledger, results);
      if (this.active.has(order.id) && restsAsLimit(order)) order.queueAhead = this.models.queue.onBook(order.side, order.limitPrice!, order.queueAhead ?? null, next);
    }
    return results;
  }

  /** A public trade: it triggers stops and fills resting limits it prints through (up to its size). */
  onTrade(print: TradePrint, ledger: Ledger): ExecutionResult[] {
    const results: ExecutionResult[] = [];
    this.arrive(print.time, ledger, results, (arrivesAt) => this.freshBookAt(arrivesAt) ?? { kind: 'model', mid: print.price, time: print.time, basis: 'trade-price' });
    this.landCancels(print.time, ledger, results);
    this.lastDataTime = Math.max(this.lastDataTime, print.time);
    this.lastTickTime = Math.max(this.lastTickTime, print.time);
    let printLeft = print.quantity;
    for (const order of this.activeOrders()) {
      if (order.status !== 'open') continue;
      if (isStop(order) && order.triggeredAt === null) {
        if (!reached(order, print.price)) continue;
        this.trigger(order, print.time, results);
        const source: PriceSource = this.freshBookAt(print.time) ?? { kind: 'model', mid: print.price, time: print.time, basis: 'trade-price' };
        this.executeTaker(order, source, print.time, ledger, results);
        this.joinQueue(order, source);
        continue;
      }
      if (order.type === 'market' || order.type === 'stop_market') {
        // market leftovers and triggered stops take what is there now
        this.executeTaker(order, this.freshBookAt(print.time) ?? { kind: 'model', mid: print.price, time: print.time, basis: 'trade-price' }, print.time, ledger, results);
        continue;
      }
      const limit = order.limitPrice!;
      if (printLeft.isZero()) continue;
      const through = order.side === 'buy' ? print.price.lessThan(limit) : print.price.greaterThan(limit);
      if (through) {
        // the whole level was taken: nothing stands ahead any more
        if ((order.queueAhead ?? null) !== null) order.queueAhead = ZERO;
        const q = Decimal.min(printLeft, this.remaining(order));
        const filled = this.fillAt(order, limit, q, 'maker', print.time, ledger, results, TRADE_THROUGH, 0);
        printLeft = printLeft.minus(filled);
        continue;
      }
      if (!print.price.eq(limit)) continue;
      // a trade at its price reaches the order once the queue ahead of it is used up (queue model)
      const { reaches, ahead } = this.models.queue.atPrice(order.queueAhead ?? null, printLeft);
      order.queueAhead = ahead;
      if (reaches.isZero()) continue;
      const filled = this.fillAt(order, limit, Decimal.min(reaches, this.remaining(order)), 'maker', print.time, ledger, results, { source: 'book', model: this.models.queue.name }, 0);
      printLeft = printLeft.minus(filled);
    }
    return results;
  }

  /**
   * A closed 1m candle. Orders that reached the venue during it are executed at its open; when no
   * book or trade was seen during the candle, resting orders are settled along its O→H→L→C path.
   */
  onCandle(candle: Candle, ledger: Ledger): ExecutionResult[] {
    const results: ExecutionResult[] = [];
    if (this.active.size === 0) {
      // Hot path of every backtest: nothing to arrive or settle, so no Decimal work per candle.
      this.lastDataTime = Math.max(this.lastDataTime, candle.closeTime);
      return results;
    }
    let open: Decimal | null = null;
    this.arrive(candle.closeTime, ledger, results, (arrivesAt) => this.freshBookAt(arrivesAt) ?? { kind: 'model', mid: (open ??= dec(candle.open)), time: Math.max(candle.openTime, arrivesAt), basis: 'candle-open' }, candle.openTime);
    const sawTicks = this.lastTickTime >= candle.openTime;
    this.lastDataTime = Math.max(this.lastDataTime, candle.closeTime);
    // cancels that landed before the candle; one landing during it stops the path at its time
    this.landCancels(candle.openTime, ledger, results);
    if (!sawTicks) this.settleAlongPath(candle, ledger, results);
    this.landCancels(candle.closeTime, ledger, results);
    return results;
  }

  /** @deprecated name kept for callers of the candle-only version */
  onCandleOpen(candle: Candle, ledger: Ledger): ExecutionResult[] {
    return this.onCandle(candle, ledger);
  }

  // ---------------------------------------------------------------------------------------------

  /** Cancels and amendments acknowledged by `now` take effect (at the time they landed). */
  private landCancels(now: number, ledger: Ledger, results: ExecutionResult[]): void {
    for (const order of this.activeOrders()) {
      const amendment = order.amendRequest ?? null;
      if (amendment !== null && amendment.at <= now) {
        order.amendRequest = null;
        this.applyAmendment(order, amendment.changes, amendment.at, ledger, results);
      }
      const request = order.cancelRequest ?? null;
      if (request === null || request.at > now) continue;
      this.finish(order, 'cancelled', request.at, ledger);
      results.push({ kind: 'cancelled', order, reason: request.reason });
    }
  }

  /** An amendment reaching the venue: checked like a new order (rules, funds); refused, the order stays as it was. */
  private applyAmendment(order: SimOrder, changes: OrderAmendment, time: number, ledger: Ledger, results: ExecutionResult[]): void {
    const refuse = (reason: string): void => {
      results.push({ kind: 'amend-rejected', order, reason });
    };
    if (!this.active.has(order.id)) return refuse('the order is no longer working');
    const quantity = changes.quantity ?? order.quantity;
    const limitPrice = changes.limitPrice ?? order.limitPrice;
    const stopPrice = changes.stopPrice ?? order.stopPrice;
    if (changes.limitPrice !== undefined && order.limitPrice === null) return refuse(`a ${order.type} order has no limit price`);
    if (changes.stopPrice !== undefined && (order.stopPrice === null || order.triggeredAt !== null)) return refuse(order.stopPrice === null ? `a ${order.type} order has no stop price` : 'the stop has already triggered');
    if (!quantity.greaterThan(order.filledQty)) return refuse(`quantity ${quantity.toFixed()} is not above the filled ${order.filledQty.toFixed()}`);
    if (!roundToIncrement(quantity, this.instrument.stepSize, 'down').eq(quantity)) return refuse(`quantity ${quantity.toFixed()} is not a multiple of step ${this.instrument.stepSize.toFixed()}`);
    for (const p of [limitPrice, stopPrice]) {
      if (p !== null && (!p.isPositive() || p.isZero() || !roundToIncrement(p, this.instrument.tickSize, 'nearest').eq(p))) return refuse(`price ${p.toFixed()} is not a positive multiple of tick ${this.instrument.tickSize.toFixed()}`);
    }
    const before = { quantity: order.quantity, limitPrice: order.limitPrice, stopPrice: order.stopPrice };
    Object.assign(order, { quantity, limitPrice, stopPrice });
    if (order.status === 'open' && !order.reduceOnly) {
      const mid = order.arrivalMid ?? order.decisionPrice;
      const hold = this.models.funds.holdForRest(order, this.remaining(order), ledger, this.fundsContext(this.referencePrice(order, mid)));
      if (ledger.available.plus(ledger.reservedFor(order.id)).lessThan(hold)) {
        Object.assign(order, before);
        return refuse(`INSUFFICIENT_BALANCE: needs ${hold.toDecimalPlaces(8).toFixed()} ${this.instrument.quote}`);
      }
      ledger.reserve(order.id, hold);
    }
    const priceMoved = !eqOrNull(before.limitPrice, limitPrice);
    if (priceMoved || quantity.greaterThan(before.quantity)) {
      // to the back of the queue at the (new) price
      order.queueAhead = null;
      if (order.status === 'open') this.joinQueue(order, this.freshBookAt(time));
    }
    order.updatedAt = time;
    results.push({ kind: 'amended', order });
    // a limit moved through the book takes what is there now, as on arrival
    const book = this.freshBookAt(time);
    if (order.status === 'open' && priceMoved && restsAsLimit(order) && book !== null) this.executeTaker(order, book, time, ledger, results, true);
  }

  /** An order that now rests as a limit takes its place in the queue at its price (QueueModel). */
  private joinQueue(order: SimOrder, source: PriceSource | null): void {
    if (!this.active.has(order.id) || !restsAsLimit(order) || (order.queueAhead ?? null) !== null) return;
    order.queueAhead = this.models.queue.join(order.side, order.limitPrice!, source?.kind === 'book' ? source.book : null);
  }

  /**
   * The book an order reaching the venue at `time` meets: the current one unless it is more than
   * bookMaxAgeMs older than that time. A book newer than the arrival was seen before the input that
   * decided the order: the stream-manager publishes a minute's candle when the closed kline comes
   * (or after its 5 s grace), after the next minute's first books, so live the order really reached
   * the venue after that book. Refusing such books sent 14 of 23 live fills to the trade-price or
   * candle model (issue 16).
   */
  private freshBookAt(time: number): PriceSource | null {
    const b = this.book;
    if (b === null || time - b.time > this.models.staleness.bookMaxAgeMs) return null;
    return { kind: 'book', book: b };
  }

  private remaining(order: SimOrder): Decimal {
    return order.quantity.minus(order.filledQty);
  }

  /** Orders whose arrival time has come are accepted (or rejected) and, when marketable, executed. */
  private arrive(now: number, ledger: Ledger, results: ExecutionResult[], sourceFor: (arrivesAt: number) => PriceSource, dataTime?: number): void {
    for (const order of this.activeOrders()) {
      if (order.status !== 'pending' || order.arrivesAt > now) continue;
      const source = sourceFor(order.arrivesAt);
      const at = Math.max(order.arrivesAt, source.kind === 'model' ? source.time : order.arrivesAt);
      const referenceTime = source.kind === 'book' ? source.book.time : (dataTime ?? source.time);
      if (Math.abs(referenceTime - order.arrivesAt) > this.models.staleness.maxAgeMs) {
        this.reject(order, 'STALE_MARKET_DATA', `newest market data is ${Math.abs(referenceTime - order.arrivesAt)} ms from the order's arrival (limit ${this.models.staleness.maxAgeMs} ms)`, at, ledger, results);
        continue;
      }
      const mid = source.kind === 'book' ? source.book.mid() : source.mid;
      if (mid === null) {
        this.reject(order, 'STALE_MARKET_DATA', 'the book is empty', at, ledger, results);
        continue;
      }
      order.arrivalMid = mid;
      const problem = this.validate(order, mid, ledger);
      if (problem) {
        this.reject(order, problem.reason, problem.message, at, ledger, results);
        continue;
      }
      order.status = 'open';
      order.updatedAt = at;
      results.push({ kind: 'accepted', order });
      this.onArrival(order, source, at, ledger, results);
      this.joinQueue(order, source);
    }
  }

  private onArrival(order: SimOrder, source: PriceSource, at: number, ledger: Ledger, results: ExecutionResult[]): void {
    if (order.type === 'market') {
      this.executeTaker(order, source, at, ledger, results);
    } else if (order.type === 'limit') {
      this.executeTaker(order, source, at, ledger, results, true);
    } else {
      const last = source.kind === 'book' ? source.book.mid()! : source.mid;
      if (reached(order, last)) {
        this.trigger(order, at, results);
        this.executeTaker(order, source, at, ledger, results, order.type === 'stop_limit');
      }
    }
  }

  private validate(order: SimOrder, mid: Decimal, ledger: Ledger): { reason: RejectReason; message: string } | null {
    const inst = this.instrument;
    if (!order.quantity.isPositive() || order.quantity.isZero()) return { reason: 'INVALID_QUANTITY_STEP', message: `quantity must be positive, got ${order.quantity.toFixed()}` };
    if (!roundToIncrement(order.quantity, inst.stepSize, 'down').eq(order.quantity)) {
      return { reason: 'INVALID_QUANTITY_STEP', message: `quantity ${order.quantity.toFixed()} is not a multiple of step ${inst.stepSize.toFixed()}` };
    }
    if (order.quantity.lessThan(inst.minQty)) return { reason: 'BELOW_MIN_QUANTITY', message: `quantity ${order.quantity.toFixed()} is below the minimum ${inst.minQty.toFixed()}` };
    for (const [name, p] of [['limit', order.limitPrice], ['stop', order.stopPrice]] as const) {
      if (p === null) continue;
      if (!p.isPositive() || p.isZero()) return { reason: 'INVALID_PRICE', message: `${name} price must be positive, got ${p.toFixed()}` };
      if (!roundToIncrement(p, inst.tickSize, 'nearest').eq(p)) return { reason: 'INVALID_PRICE_TICK', message: `${name} price ${p.toFixed()} is not a multiple of tick ${inst.tickSize.toFixed()}` };
    }
    if ((order.type === 'limit' || order.type === 'stop_limit') && order.limitPrice === null) return { reason: 'INVALID_PRICE', message: `${order.type} order needs a limit price` };
    if ((order.type === 'stop_market' || order.type === 'stop_limit') && order.stopPrice === null) return { reason: 'INVALID_PRICE', message: `${order.type} order needs a stop price` };
    const ref = this.referencePrice(order, mid);
    if (order.reduceOnly) {
      const q = ledger.quantity;
      const reduces = !q.isZero() && q.isPositive() === (order.side === 'sell');
      if (!reduces) return { reason: 'REDUCE_ONLY_NO_POSITION', message: `reduce-only ${order.side} with position ${q.toFixed()}` };
    } else {
      const notional = order.quantity.times(ref);
      if (notional.lessThan(inst.minNotional)) return { reason: 'BELOW_MIN_NOTIONAL', message: `notional ${notional.toDecimalPlaces(8).toFixed()} is below the minimum ${inst.minNotional.toFixed()}` };
    }
    // the money check is the funds model's (default: hold the cost; compat: legacy: Backtrader's broker)
    const admission = this.models.funds.admit(order, ledger, this.fundsContext(ref));
    if (!admission.ok) return { reason: 'INSUFFICIENT_BALANCE', message: admission.message };
    if (!admission.hold.isZero()) ledger.reserve(order.id, admission.hold);
    return null;
  }

  private fundsContext(referencePrice: Decimal): FundsContext {
    return { referencePrice, takerFeeRate: this.models.fee.rate('taker'), quote: this.instrument.quote };
  }

  /** The price funds are held at: the limit, else the stop or arrival mid plus the modelled costs. */
  private referencePrice(order: SimOrder, mid: Decimal): Decimal {
    if (order.limitPrice !== null) return order.limitPrice;
    const base = order.stopPrice ?? mid;
    const cost = this.models.spread.fraction().div(2).plus(this.models.slippage.fraction(order.quantity, base));
    return order.side === 'buy' ? base.times(cost.plus(1)) : base;
  }

  private trigger(order: SimOrder, time: number, results: ExecutionResult[]): void {
    order.triggeredAt = time;
    order.updatedAt = time;
    results.push({ kind: 'triggered', order });
  }

  /** Executes what is marketable now; a limit never trades through its price. */
  private executeTaker(order: SimOrder, source: PriceSource, time: number, ledger: Ledger, results: ExecutionResult[], respectLimit = order.type !== 'market' && order.type !== 'stop_market'): void {
    const limit = respectLimit ? order.limitPrice : null;
    let want = this.clampReduceOnly(order, ledger, time, results);
    if (want === null || want.isZero()) return;
    if (source.kind === 'book') {
      // level by level: only what was actually filled is consumed from the book
      for (const take of source.book.peek(order.side, want, limit)) {
        const filled = this.fillAt(order, take.price, take.quantity, 'taker', time, ledger, results, BOOK_WALK, 1);
        source.book.consume(order.side, take.price, filled);
        if (!filled.eq(take.quantity)) return;
        want = want.minus(filled);
      }
      return;
    }
    const price = this.modelledTakerPrice(order.side, source.mid, want);
    if (limit !== null && (order.side === 'buy' ? price.greaterThan(limit) : price.lessThan(limit))) return;
    this.fillAt(order, price, want, 'taker', time, ledger, results, { source: 'modelled', model: source.basis }, 0);
  }

  private modelledTakerPrice(side: Side, mid: Decimal, quantity: Decimal): Decimal {
    const adverse = this.models.spread.fraction().div(2).plus(this.models.slippage.fraction(quantity, mid));
    const raw = side === 'buy' ? mid.times(adverse.plus(1)) : mid.times(ONE.minus(adverse));
    return roundToIncrement(raw, this.instrument.tickSize, side === 'buy' ? 'up' : 'down');
  }

  /** For reduce-only orders: what may still be filled given the position; cancels when nothing. */
  private clampReduceOnly(order: SimOrder, ledger: Ledger, time: number, results: ExecutionResult[]): Decimal | null {
    const rest = this.remaining(order);
    if (!order.reduceOnly) return rest;
    const q = ledger.quantity;
    const reduces = !q.isZero() && q.isPositive() === (order.side === 'sell');
    if (!reduces) {
      this.finish(order, 'cancelled', time, ledger);
      results.push({ kind: 'cancelled', order, reason: 'position already closed' });
      return null;
    }
    return Decimal.min(rest, q.abs());
  }

  /** Applies one fill to the ledger after the balance check; returns the quantity filled (0 when refused). */
  private fillAt(order: SimOrder, price: Decimal, quantity: Decimal, liquidity: Liquidity, time: number, ledger: Ledger, results: ExecutionResult[], provenance: FillProvenance, levels: number): Decimal {
    if (order.reduceOnly) {
      const q = ledger.quantity;
      const reduces = !q.isZero() && q.isPositive() === (order.side === 'sell');
      if (!reduces) {
        this.finish(order, 'cancelled', time, ledger);
        results.push({ kind: 'cancelled', order, reason: 'position already closed' });
        return ZERO;
      }
      quantity = Decimal.min(quantity, q.abs());
    }
    if (quantity.isZero()) return ZERO;
    const notional = quantity.times(price);
    const fee = notional.times(this.models.fee.rate(liquidity));
    const refusal = this.models.funds.checkFill(order, { quantity, price, fee }, ledger, this.instrument.quote);
    if (refusal !== null) {
      if (order.filledQty.isZero()) this.reject(order, 'INSUFFICIENT_BALANCE', refusal, time, ledger, results);
      else {
        this.finish(order, 'cancelled', time, ledger);
        results.push({ kind: 'cancelled', order, reason: `INSUFFICIENT_BALANCE: ${refusal}` });
      }
      return ZERO;
    }
    const realizedPnl = ledger.apply({ side: order.side, quantity, price, fee });
    order.filledQty = order.filledQty.plus(quantity);
    order.filledNotional = order.filledNotional.plus(notional);
    order.fees = order.fees.plus(fee);
    order.levelsConsumed += levels;
    order.fillCount += 1;
    order.updatedAt = time;
    if (order.filledQty.greaterThan(order.quantity)) throw new InvariantError(`order ${order.id} overfilled`);
    const done = order.filledQty.eq(order.quantity) || (order.reduceOnly && ledger.quantity.isZero());
    if (done) this.finish(order, order.filledQty.eq(order.quantity) ? 'filled' : 'filled', time, ledger);
    else if (!order.reduceOnly) {
      // keep holding funds for the rest only
      ledger.reserve(order.id, this.models.funds.holdForRest(order, this.remaining(order), ledger, this.fundsContext(this.referencePrice(order, order.arrivalMid ?? price))));
    }
    results.push({
      kind: 'filled',
      order,
      fill: { orderId: order.id, side: order.side, quantity, price, fee, liquidity, realizedPnl, positionAfter: ledger.quantity, cashAfter: ledger.cash, time, reason: order.reason, quality: fillQualityOf(order), provenance },
    });
    return quantity;
  }

  private reject(order: SimOrder, reason: RejectReason, message: string, time: number, ledger: Ledger, results: ExecutionResult[]): void {
    order.rejectReason = reason;
    order.rejectMessage = message;
    this.finish(order, 'rejected', time, ledger);
    results.push({ kind: 'rejected', order, reason, message });
  }

  private finish(order: SimOrder, status: OrderStatus, time: number, ledger: Ledger): void {
    order.status = status;
    order.updatedAt = time;
    ledger.release(order.id);
    this.active.delete(order.id);
  }

  private restingAgainstBook(order: SimOrder, book: LiveBook, time: number, ledger: Ledger, results: ExecutionResult[]): void {
    if (order.type === 'market') {
      this.executeTaker(order, { kind: 'book', book }, time, ledger, results);
      return;
    }
    if (isStop(order) && order.triggeredAt === null) {
      const mid = book.mid();
      if (mid === null || !reached(order, mid)) return;
      this.trigger(order, time, results);
      this.executeTaker(order, { kind: 'book', book }, time, ledger, results);
      this.joinQueue(order, { kind: 'book', book });
      return;
    }
    if (isStop(order) && order.type === 'stop_market') {
      this.executeTaker(order, { kind: 'book', book }, time, ledger, results);
      return;
    }
    // resting limit: the book crossed it → maker fill at the limit for the crossing quantity
    const limit = order.limitPrice!;
    const through = book.quantityThrough(order.side, limit);
    if (through.isZero()) return;
    let q = Decimal.min(through, this.remaining(order));
    if (order.reduceOnly) q = Decimal.min(q, ledger.quantity.abs());
    // the through-levels the crossing quantity takes (consumeThrough walks them the same way)
    const levels = book.peek(order.side, q, limit).length;
    const filled = this.fillAt(order, limit, q, 'maker', time, ledger, results, BOOK_CROSS, levels);
    if (filled.isPositive()) book.consumeThrough(order.side, limit, filled);
  }

  /** Settles resting orders along the candle's O→H→L→C path, earliest touch first. */
  private settleAlongPath(candle: Candle, ledger: Ledger, results: ExecutionResult[]): void {
    const path = [candle.open, candle.high, candle.low, candle.close];
    const timeAt = (pos: number) => Math.min(candle.closeTime - 1, candle.openTime + Math.floor((pos / 3) * (candle.closeTime - candle.openTime)));
    const from = new Map<string, number>();
    for (let guard = 0; guard < 10_000; guard++) {
      let best: { order: SimOrder; pos: number; price: number; action: 'taker' | 'trigger' | 'maker' } | null = null;
      for (const order of this.activeOrders()) {
        if (order.status !== 'open' || order.arrivesAt > candle.closeTime) continue;
        const start = from.get(order.id) ?? 0;
        const ev = nextPathEvent(order, path, start);
        if (ev === null) continue;
        if (best === null || ev.pos < best.pos) best = { order, ...ev };
      }
      if (best === null) return;
      const { order, pos, price, action } = best;
      const time = Math.max(timeAt(pos), order.arrivesAt);
      const cancel = order.cancelRequest ?? null;
      if (cancel !== null && cancel.at <= time) {
        // the cancel landed before the path reached the order
        this.finish(order, 'cancelled', cancel.at, ledger);
        results.push({ kind: 'cancelled', order, reason: cancel.reason });
        continue;
      }
      from.set(order.id, pos);
      if (action === 'trigger') {
        this.trigger(order, time, results);
        if (order.type === 'stop_market') this.executeTaker(order, { kind: 'model', mid: dec(price), time, basis: 'candle-path' }, time, ledger, results);
        else this.executeTaker(order, { kind: 'model', mid: dec(price), time, basis: 'candle-path' }, time, ledger, results, true);
        // a stop-limit that could not fill rests as a limit from here on
        if (this.active.has(order.id)) from.set(order.id, pos + 1e-9);
      } else if (action === 'taker') {
        this.executeTaker(order, { kind: 'model', mid: dec(price), time, basis: 'candle-path' }, time, ledger, results);
        if (this.active.has(order.id)) from.set(order.id, Number.POSITIVE_INFINITY);
      } else {
        let q = this.remaining(order);
        if (order.reduceOnly) q = Decimal.min(q, ledger.quantity.abs());
        this.fillAt(order, dec(price), q, 'maker', time, ledger, results, CANDLE_PATH, 0);
        if (this.active.has(order.id)) from.set(order.id, Number.POSITIVE_INFINITY);
      }
    }
    throw new InvariantError('path settlement did not terminate');
  }
}

function eqOrNull(a: Decimal | null, b: Decimal | null): boolean {
  return a === null || b === null ? a === b : a.eq(b);
}

/** A limit, or a stop-limit that has triggered: it waits in the book at its limit price. */
function restsAsLimit(order: SimOrder): boolean {
  return order.type === 'limit' || (order.type === 'stop_limit' && order.triggeredAt !== null);
}

function isStop(order: SimOrder): boolean {
  return order.type === 'stop_market' || order.type === 'stop_limit';
}

/** Has the market reached the stop (buy stops trigger at or above, sell stops at or below)? */
function reached(order: SimOrder, price: Decimal): boolean {
  const s = order.stopPrice!;
  return order.side === 'buy' ? price.greaterThanOrEqualTo(s) : price.lessThanOrEqualTo(s);
}

/**
 * The first event of an order on the path at or after `start` (positions: 0 = open, 1 = high,
 * 2 = low, 3 = close, fractions in between). Market leftovers execute at the open; untriggered
 * stops trigger where the path reaches them; limits fill where the path goes strictly through.
 */
function nextPathEvent(order: SimOrder, path: readonly number[], start: number): { pos: number; price: number; action: 'taker' | 'trigger' | 'maker' } | null {
  if (!Number.isFinite(start)) return null;
  if (order.type === 'market') return start === 0 ? { pos: 0, price: path[0]!, action: 'taker' } : null;
  if (isStop(order) && order.triggeredAt === null) {
    const s = order.stopPrice!.toNumber();
    const hit = firstTouch(path, start, order.side === 'buy' ? (p) => p >= s : (p) => p <= s, s);
    return hit === null ? null : { pos: hit.pos, price: hit.price, action: 'trigger' };
  }
  if (order.type === 'stop_market') return { pos: start, price: path[Math.min(3, Math.floor(start))]!, action: 'taker' };
  const l = order.limitPrice!.toNumber();
  const hit = firstTouch(path, start, order.side === 'buy' ? (p) => p < l : (p) => p > l, l);
  if (hit === null) return null;
  // the candle opened through the limit (the market passed it while no tick was seen): filled at the
  // open, the better price, as Backtrader does; filling at the limit put prices outside the candle
  return { pos: hit.pos, price: hit.pos === 0 ? path[0]! : l, action: 'maker' };
}

/** First position ≥ start where `inside(price)` holds; `level` is the boundary crossed. */
function firstTouch(path: readonly number[], start: number, inside: (p: number) => boolean, level: number): { pos: number; price: number } | null {
  const priceAt = (pos: number): number => {
    const i = Math.min(2, Math.floor(pos));
    const f = pos - i;
    return path[i]! + (path[i + 1]! - path[i]!) * f;
  };
  const p0 = priceAt(start);
  if (inside(p0)) return { pos: start, price: p0 };
  for (let i = Math.floor(start); i < 3; i++) {
    const a = i === Math.floor(start) ? p0 : path[i]!;
    const b = path[i + 1]!;
    if (!inside(b)) continue;
    const from = i === Math.floor(start) ? start : i;
    const span = b - a;
    const frac = span === 0 ? 0 : (level - a) / span;
    const pos = from + Math.max(0, Math.min(1, frac)) * (i + 1 - from);
    return { pos: Math.max(pos, start), price: level };
  }
  return null;
}
