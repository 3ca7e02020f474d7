import { z } from 'zod';
import { DecimalString, MarketSymbol, StrategyId, UnixMs } from '../scalars.js';

export const StrategyStatusValue = z.enum(['starting', 'warming-up', 'running', 'stopped', 'error']);
export type StrategyStatusValue = z.infer<typeof StrategyStatusValue>;

/**
 * Where a fill's price came from (docs/execution.md): `book` when from observed market data (book
 * levels walked or crossing a resting limit, public trades through or at its price), `modelled` when
 * a model priced it (a candle's open or a trade's price plus the modelled spread and slippage, or a
 * candle's O→H→L→C path); `model` names the rule.
 */
export const FillProvenance = z.object({
  source: z.enum(['book', 'modelled']),
  model: z.enum(['book-walk', 'book-cross', 'trade-through', 'queue-position', 'candle-open', 'trade-price', 'candle-path']),
});
export type FillProvenance = z.infer<typeof FillProvenance>;

/** A fill of a paper order. */
export const StrategyFillV1 = z.object({
  strategyId: StrategyId,
  tradeId: z.string(),
  orderId: z.string(),
  symbol: MarketSymbol,
  side: z.enum(['buy', 'sell']),
  quantity: DecimalString,
  price: DecimalString,
  fee: DecimalString,
  realizedPnl: DecimalString,
  reason: z.string(),
  time: UnixMs,
  /** maker (resting limit) or taker; absent in fills recorded before it existed */
  liquidity: z.enum(['maker', 'taker']).optional(),
  /** the order's fill quality including this fill */
  quality: z
    .object({
      decisionPrice: DecimalString,
      arrivalMid: DecimalString,
      vwap: DecimalString,
      slippageBps: DecimalString,
      latencyMs: z.number().int().nonnegative(),
      levelsConsumed: z.number().int().nonnegative(),
    })
    .optional(),
  /** book or modelled, and by which rule; absent in fills recorded before it existed */
  provenance: FillProvenance.optional(),
});
export type StrategyFillV1 = z.infer<typeof StrategyFillV1>;

/** Equity and balances after a candle or a fill. */
export const StrategyEquityV1 = z.object({
  strategyId: StrategyId,
  time: UnixMs,
  equity: DecimalString,
  cash: DecimalString,
  positionQty: DecimalString,
  realizedPnl: DecimalString,
  unrealizedPnl: DecimalString,
  lastPrice: DecimalString.nullable(),
});
export type StrategyEquityV1 = z.infer<typeof StrategyEquityV1>;

export const StrategyStatusChangedV1 = z.object({
  strategyId: StrategyId,
  status: StrategyStatusValue,
  error: z.string().nullable(),
  time: UnixMs,
});
export type StrategyStatusChangedV1 = z.infer<typeof StrategyStatusChangedV1>;
