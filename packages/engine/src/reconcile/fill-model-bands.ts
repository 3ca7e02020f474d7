import { Decimal } from '../core/decimal.js';

/** The three fill models a window is re-run under (candles only, as a user's backtest), best case first. */
export type BandName = 'optimistic' | 'realistic' | 'pessimistic';

/** A band's named parameters; commission is the strategy's own in every band (fees are known, not assumed). */
export interface BandParameters {
  name: BandName;
  /** full modelled bid/ask spread as a fraction of the mid */
  spread: string;
  /** adverse move on every modelled taker fill, as a fraction */
  slippage: string;
  /** order latency, uniform between min and max ms */
  latencyMs: { min: number; max: number };
  description: string;
}

/**
 * The band parameters (docs/reconciliation.md):
 * - optimistic: fills exactly at the candle open, no spread, no slippage, no latency;
 * - realistic: the plan's defaults, what `btc-research backtest` uses: 1 bp spread, the config's
 *   slippage (0.05 % when it names none), 50–100 ms;
 * - pessimistic: 5 bp spread, three times the config's slippage, 250–1000 ms.
 */
export function bandParameters(configSlippage: string): BandParameters[] {
  const slippage = new Decimal(configSlippage);
  return [
    { name: 'optimistic', spread: '0', slippage: '0', latencyMs: { min: 0, max: 0 }, description: 'fills at the candle open exactly: no spread, no slippage, no latency' },
    { name: 'realistic', spread: '0.0001', slippage: slippage.toFixed(), latencyMs: { min: 50, max: 100 }, description: "the plan's defaults (as btc-research backtest): 1 bp spread, the config's slippage, 50-100 ms" },
    { name: 'pessimistic', spread: '0.0005', slippage: slippage.times(3).toFixed(), latencyMs: { min: 250, max: 1000 }, description: "5 bp spread, three times the config's slippage, 250-1000 ms" },
  ];
}
