import { Decimal, dec, roundToIncrement } from '../core/decimal.js';
import type { SeededRng } from '../core/rng.js';
import type { Candle } from '../model/candle.js';
import type { Instrument } from '../model/instrument.js';
import type { Ledger, Side } from '../portfolio/ledger.js';
import type { ExecutionModels } from './execution-models.js';

export type RejectReason = 'INSUFFICIENT_BALANCE' | 'BELOW_MIN_NOTIONAL' | 'INVALID_QUANTITY_STEP' | 'STALE_MARKET_DATA';

export interface MarketOrder {
  id: string;
  side: Side;
  quantity: Decimal;
  /** the close the decision was taken on */
  decisionPrice: number;
  decidedAt: number;
  /** decision time + simulated latency */
  arrivesAt: number;
  latencyMs: number;
  reason: string;
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
  realizedPnl: Decimal;
  time: number;
  reason: string;
  quality: FillQuality;
}

export type ExecutionResult = { kind: 'filled'; fill: ExecutedFill } | { kind: 'rejected'; order: MarketOrder; reason: RejectReason; message: string };

/**
 * Market orders against candle data: an order decided at the close of candle t arrives after the
 * simulated latency and fills at the open of the next 1m candle, moved by half the modelled spread
 * and the slippage model, rounded to the tick against the trader, charged the taker fee.
 */
export class SimulatedExchange {
  private pending: MarketOrder[] = [];

  constructor(
    private readonly instrument: Instrument,
    private readonly models: ExecutionModels,
    private readonly rng: SeededRng,
  ) {}

  submitMarket(order: Omit<MarketOrder, 'arrivesAt' | 'latencyMs'>): MarketOrder {
    const latencyMs = this.models.latency.sampleMs(this.rng);
    const accepted: MarketOrder = { ...order, latencyMs, arrivesAt: order.decidedAt + latencyMs };
    this.pending.push(accepted);
    return accepted;
  }

  hasPending(): boolean {
    return this.pending.length > 0;
  }

  pendingOrders(): readonly MarketOrder[] {
    return this.pending;
  }

  /** Fills the orders that have arrived by the time `candle` opens trading, against its open. */
  onCandleOpen(candle: Candle, ledger: Ledger): ExecutionResult[] {
    if (this.pending.length === 0) return [];
    const results: ExecutionResult[] = [];
    const remaining: MarketOrder[] = [];
    for (const order of this.pending) {
      if (order.arrivesAt > candle.closeTime) {
        remaining.push(order);
        continue;
      }
      results.push(this.fill(order, candle, ledger));
    }
    this.pending = remaining;
    return results;
  }

  private fill(order: MarketOrder, candle: Candle, ledger: Ledger): ExecutionResult {
    const mid = dec(candle.open);
    const halfSpread = this.models.spread.fraction().div(2);
    const slip = this.models.slippage.fraction(order.quantity, mid);
    const adverse = halfSpread.plus(slip);
    const raw = order.side === 'buy' ? mid.times(adverse.plus(1)) : mid.times(new Decimal(1).minus(adverse));
    const price = roundToIncrement(raw, this.instrument.tickSize, order.side === 'buy' ? 'up' : 'down');
    const quantity = roundToIncrement(order.quantity, this.instrument.stepSize, 'down');
    if (quantity.isZero() || !quantity.eq(order.quantity)) {
      return { kind: 'rejected', order, reason: 'INVALID_QUANTITY_STEP', message: `quantity ${order.quantity.toFixed()} is not a multiple of step ${this.instrument.stepSize.toFixed()}` };
    }
    const notional = quantity.times(price);
    if (notional.lessThan(this.instrument.minNotional)) {
      return { kind: 'rejected', order, reason: 'BELOW_MIN_NOTIONAL', message: `notional ${notional.toFixed()} is below the minimum ${this.instrument.minNotional.toFixed()}` };
    }
    const fee = notional.times(this.models.fee.rate('taker'));
    const increases = ledger.quantity.isZero() || ledger.quantity.isPositive() === (order.side === 'buy');
    if (increases) {
      // Opening or adding: a long needs the cash, a short needs equity covering the notional (1x).
      const equity = ledger.equity(mid);
      const exposureAfter = ledger.quantity.abs().plus(quantity).times(price);
      const enough = order.side === 'buy' ? ledger.cash.greaterThanOrEqualTo(notional.plus(fee)) : equity.minus(fee).greaterThanOrEqualTo(exposureAfter);
      if (!enough) {
        return { kind: 'rejected', order, reason: 'INSUFFICIENT_BALANCE', message: `needs ${notional.plus(fee).toFixed()} ${this.instrument.quote}, available ${ledger.cash.toFixed()}` };
      }
    }
    const realizedPnl = ledger.apply({ side: order.side, quantity, price, fee });
    const decision = dec(order.decisionPrice);
    const slippageBps = order.side === 'buy' ? price.minus(decision).div(decision).times(10_000) : decision.minus(price).div(decision).times(10_000);
    return {
      kind: 'filled',
      fill: {
        orderId: order.id,
        side: order.side,
        quantity,
        price,
        fee,
        realizedPnl,
        time: Math.max(order.arrivesAt, candle.openTime),
        reason: order.reason,
        quality: {
          decisionPrice: decision.toFixed(),
          arrivalMid: mid.toFixed(),
          vwap: price.toFixed(),
          slippageBps: slippageBps.toDecimalPlaces(4).toFixed(),
          latencyMs: order.latencyMs,
          levelsConsumed: 1,
        },
      },
    };
  }
}

