import type { RoundTrip } from './reconcile-fills.js';

export interface RoundTripPairing {
  /** the same trade in both: the paper trader's and the backtest's, side by side */
  paired: Array<{ paper: RoundTrip; backtest: RoundTrip }>;
  /** in the backtest only: the paper trader missed it */
  missed: RoundTrip[];
  /** in the paper record only: the backtest does not have it */
  extra: RoundTrip[];
}

/**
 * Pairs the paper trader's round trips with a backtest's: in time order, a paper trip takes the
 * first unpaired backtest trip of the same side whose entry is within `toleranceMs` of its own.
 */
export function pairRoundTrips(paper: readonly RoundTrip[], backtest: readonly RoundTrip[], toleranceMs: number): RoundTripPairing {
  const taken = new Set<number>();
  const paired: RoundTripPairing['paired'] = [];
  const extra: RoundTrip[] = [];
  for (const p of paper) {
    let match = -1;
    for (let i = 0; i < backtest.length; i++) {
      if (taken.has(i)) continue;
      const b = backtest[i]!;
      if (b.entryTime > p.entryTime + toleranceMs) break;
      if (b.side === p.side && Math.abs(b.entryTime - p.entryTime) <= toleranceMs) {
        match = i;
        break;
      }
    }
    if (match < 0) extra.push(p);
    else {
      taken.add(match);
      paired.push({ paper: p, backtest: backtest[match]! });
    }
  }
  return { paired, missed: backtest.filter((_, i) => !taken.has(i)), extra };
}
