import { Decimal, type DecimalInput } from '../core/decimal.js';
import type { SeededRng } from '../core/rng.js';
import { reservedFundsModel, type FundsModel } from './funds-models.js';
import { tradeThroughQueue, type QueueModel } from './queue-models.js';

/** Commission as a fraction of fill notional, by liquidity role. */
export interface FeeModel {
  readonly name: string;
  rate(liquidity: 'maker' | 'taker'): Decimal;
}

/**
 * Adverse price move applied to a taker fill priced from a model (candles only: the modelled spread
 * and the OHLC path). Fills against a live book get their slippage from walking the levels instead.
 */
export interface SlippageModel {
  readonly name: string;
  fraction(quantity: Decimal, price: Decimal): Decimal;
}

/**
 * When market data is too old to fill against. An order arriving more than `maxAgeMs` after the
 * newest market data (book, trade or candle open) is rejected with STALE_MARKET_DATA; a book older
 * than `bookMaxAgeMs` is not used and the candle model fills instead.
 */
export interface StalenessModel {
  readonly name: string;
  readonly maxAgeMs: number;
  readonly bookMaxAgeMs: number;
}

export function stalenessModel(maxAgeMs = 5 * 60_000, bookMaxAgeMs = 5_000): StalenessModel {
  return { name: `stale(after=${maxAgeMs}ms,book=${bookMaxAgeMs}ms)`, maxAgeMs, bookMaxAgeMs };
}

/** Full bid/ask spread as a fraction of the mid, used when only candles are known. */
export interface SpreadModel {
  readonly name: string;
  fraction(): Decimal;
}

/** Time between an order's decision and its arrival at the (simulated) exchange. */
export interface LatencyModel {
  readonly name: string;
  sampleMs(rng: SeededRng): number;
}

export function percentFeeModel(takerRate: DecimalInput, makerRate: DecimalInput = takerRate): FeeModel {
  const taker = new Decimal(takerRate);
  const maker = new Decimal(makerRate);
  return { name: `percent(taker=${taker.toFixed()},maker=${maker.toFixed()})`, rate: (l) => (l === 'maker' ? maker : taker) };
}

export function fixedSlippageModel(rate: DecimalInput): SlippageModel {
  const r = new Decimal(rate);
  return { name: `fixed(${r.toFixed()})`, fraction: () => r };
}

export function fixedSpreadModel(rate: DecimalInput): SpreadModel {
  const r = new Decimal(rate);
  return { name: `fixed(${r.toFixed()})`, fraction: () => r };
}

export function uniformLatencyModel(minMs: number, maxMs: number): LatencyModel {
  return { name: `uniform(${minMs}..${maxMs}ms)`, sampleMs: (rng) => rng.int(minMs, maxMs) };
}

/** No latency and no draw from the RNG: a cancel lands the moment it is sent (the default for cancels). */
export function immediateLatencyModel(): LatencyModel {
  return { name: 'immediate', sampleMs: () => 0 };
}

export interface ExecutionModels {
  fee: FeeModel;
  slippage: SlippageModel;
  spread: SpreadModel;
  latency: LatencyModel;
  staleness: StalenessModel;
  /**
   * How an order's money is checked: `reservedFundsModel()` by default (an order holds its cost, a
   * short its notional plus fees); compat: legacy uses `backtraderCashCheck()`, the original's
   * broker (funds-models.ts).
   */
  funds: FundsModel;
  /**
   * When a resting limit fills from live books and trades: `tradeThroughQueue()` by default (a trade
   * printing strictly through its price, or a book crossing it), `queuePositionModel()` also fills it
   * from trades at its price once the volume ahead of it has traded or left the book (queue-models.ts).
   */
  queue: QueueModel;
  /**
   * Time between a cancel being sent and its acknowledgement at the venue; until then the order can
   * still fill. Default `immediateLatencyModel()` (cancels land at once, no RNG draw).
   */
  cancelLatency: LatencyModel;
}

export interface ExecutionModelOverrides {
  /** taker commission (default 0.001) */
  commission?: DecimalInput;
  /** maker commission for resting limit fills (default: the taker rate) */
  makerCommission?: DecimalInput;
  slippage?: DecimalInput;
  spread?: DecimalInput;
  latencyMs?: { min: number; max: number };
  staleness?: { maxAgeMs?: number; bookMaxAgeMs?: number };
  /** see ExecutionModels.funds (default: reservedFundsModel()) */
  funds?: FundsModel;
  /** see ExecutionModels.queue (default: tradeThroughQueue()) */
  queue?: QueueModel;
  /** cancel acknowledgement latency (default: none, cancels land at once) */
  cancelLatencyMs?: { min: number; max: number };
}

/** The plan's defaults: 0.1 % commission, 0.05 % slippage, a 1 bp modelled spread, 50–100 ms latency. */
export function defaultExecutionModels(overrides: ExecutionModelOverrides = {}): ExecutionModels {
  const taker = overrides.commission ?? '0.001';
  return {
    fee: percentFeeModel(taker, overrides.makerCommission ?? taker),
    slippage: fixedSlippageModel(overrides.slippage ?? '0.0005'),
    spread: fixedSpreadModel(overrides.spread ?? '0.0001'),
    latency: uniformLatencyModel(overrides.latencyMs?.min ?? 50, overrides.latencyMs?.max ?? 100),
    staleness: stalenessModel(overrides.staleness?.maxAgeMs, overrides.staleness?.bookMaxAgeMs),
    funds: overrides.funds ?? reservedFundsModel(),
    queue: overrides.queue ?? tradeThroughQueue(),
    cancelLatency: overrides.cancelLatencyMs === undefined || overrides.cancelLatencyMs.max <= 0 ? immediateLatencyModel() : uniformLatencyModel(overrides.cancelLatencyMs.min, overrides.cancelLatencyMs.max),
  };
}
