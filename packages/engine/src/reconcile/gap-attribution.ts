import { toDecimalString, type Decimal } from '../core/decimal.js';
import type { CoreInput } from '../kernel/trading-core.js';
import { marketVariants } from './market-variants.js';
import type { ReconcileFill } from './reconcile-fills.js';
import { runVariant, type PaperStrategy } from './reconcile-runs.js';

/** The causes of the PnL gap between paper trading and a candle-only backtest (decimal strings, quote currency, paper − backtest). */
export interface GapAttribution {
  latency: string;
  spread: string;
  slippage: string;
  bookDepth: string;
  candlePath: string;
  /** paper's record minus the replay of its own log: what no counterfactual run reproduces */
  unexplained: string;
}

export interface GapLadder {
  attribution: GapAttribution;
  /** the replay of the recorded log (the ladder's first rung) */
  replay: ReconcileFill[];
  /** the candle-only backtest as a user runs it (its last rung) */
  candleBacktest: ReconcileFill[];
  pnl: { paper: Decimal; backtest: Decimal };
}

const NO_LATENCY = { min: 0, max: 0 };

/**
 * Attributes the gap between paper trading and a candle-only backtest by a ladder of runs of the
 * same core, config and seed, each removing one realism from the run before it (docs/reconciliation.md):
 * replay → no latency → books cut to an unlimited top level → books collapsed to the mid → candles
 * only without costs → + modelled spread → + modelled slippage → + latency (the backtest). The
 * steps telescope, so the causes add up to the gap exactly; `unexplained` is the paper record
 * against the replay. Sequential: another order of the steps can move amounts between causes that interact.
 */
export function attributeGap(paper: PaperStrategy, recorded: readonly CoreInput[], paperPnl: Decimal, pnlOf: (fills: readonly ReconcileFill[]) => Decimal): GapLadder {
  const candles = marketVariants.candlesOnly(recorded);
  const replay = runVariant(paper, { inputs: recorded });
  const candleBacktest = runVariant(paper, { inputs: candles });
  const rung = {
    replay: pnlOf(replay),
    noLatency: pnlOf(runVariant(paper, { inputs: recorded, latencyMs: NO_LATENCY })),
    topOfBook: pnlOf(runVariant(paper, { inputs: marketVariants.unlimitedTopOfBook(recorded), latencyMs: NO_LATENCY })),
    midBook: pnlOf(runVariant(paper, { inputs: marketVariants.unlimitedMidBook(recorded), latencyMs: NO_LATENCY })),
    candlesBare: pnlOf(runVariant(paper, { inputs: candles, latencyMs: NO_LATENCY, spread: '0', slippage: '0' })),
    candlesSpread: pnlOf(runVariant(paper, { inputs: candles, latencyMs: NO_LATENCY, slippage: '0' })),
    candlesSlipped: pnlOf(runVariant(paper, { inputs: candles, latencyMs: NO_LATENCY })),
    backtest: pnlOf(candleBacktest),
  };
  const s = toDecimalString;
  return {
    attribution: {
      latency: s(rung.replay.minus(rung.noLatency).plus(rung.candlesSlipped.minus(rung.backtest))),
      bookDepth: s(rung.noLatency.minus(rung.topOfBook)),
      spread: s(rung.topOfBook.minus(rung.midBook).plus(rung.candlesBare.minus(rung.candlesSpread))),
      candlePath: s(rung.midBook.minus(rung.candlesBare)),
      slippage: s(rung.candlesSpread.minus(rung.candlesSlipped)),
      unexplained: s(paperPnl.minus(rung.replay)),
    },
    replay,
    candleBacktest,
    pnl: { paper: paperPnl, backtest: rung.backtest },
  };
}
