import { Decimal, type DecimalInput } from '../core/decimal.js';
import type { SeededRng } from '../core/rng.js';

/** Commission as a fraction of fill notional, by liquidity role. */
export interface FeeModel {
  readonly name: string;
  rate(liquidity: 'maker' | 'taker'): Decimal;
}

/** Adverse price move applied to a taker fill, as a fraction of the price. */
export interface SlippageModel {
  readonly name: string;
  fraction(quantity: Decimal, price: Decimal): Decimal;
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

export interface ExecutionModels {
  fee: FeeModel;
  slippage: SlippageModel;
  spread: SpreadModel;
  latency: LatencyModel;
}

/** The plan's defaults: 0.1 % commission, 0.05 % slippage, a 1 bp modelled spread, 50–100 ms latency. */
export function defaultExecutionModels(overrides: { commission?: DecimalInput; slippage?: DecimalInput } = {}): ExecutionModels {
  return {
    fee: percentFeeModel(overrides.commission ?? '0.001'),
    slippage: fixedSlippageModel(overrides.slippage ?? '0.0005'),
    spread: fixedSpreadModel('0.0001'),
    latency: uniformLatencyModel(50, 100),
  };
}
