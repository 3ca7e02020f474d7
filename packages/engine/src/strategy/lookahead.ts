import { CandleAggregator, type IncompleteCandles } from '../candles/candle-aggregator.js';
import type { Timeframe } from '../candles/timeframe.js';
import type { Indicator, IndicatorValue } from '../indicators/indicator.js';
import type { Candle } from '../model/candle.js';
import type { IndicatorSlot } from './indicator-slot.js';

/**
 * One higher timeframe's indicator columns over a whole run, indexed by candle OPEN time: the
 * original's alignment (compat §3.2 step 4, §3.3). An entry bar opening at t reads the row of the
 * last higher-timeframe candle that opened at or before t — the candle still in progress, whose
 * values were computed from its final close. Only a backtest can build this (it needs the future).
 */
export class LookaheadSeries {
  private row = -1;

  constructor(
    readonly timeframe: Timeframe,
    /** open time of every row, ascending */
    readonly openTimes: readonly number[],
    /** columns[k][row]: flat column k of the timeframe's indicators (config order) */
    private readonly columns: readonly IndicatorValue[][],
    /** every indicator the rules read on this timeframe was ready after that row */
    private readonly readyRows: readonly boolean[],
  ) {}

  /** Moves to the last row whose open time is ≤ t (rows before the first one read as missing). */
  seek(t: number): void {
    const times = this.openTimes;
    if (this.row >= 0 && times[this.row]! > t) this.row = -1; // moved back in time: search again from the start
    while (this.row + 1 < times.length && times[this.row + 1]! <= t) this.row += 1;
  }

  get currentRow(): number {
    return this.row;
  }

  /** Value of flat column k at the current row; null before the first row (the original's NaN). */
  value(k: number): IndicatorValue {
    return this.row < 0 ? null : this.columns[k]![this.row]!;
  }

  ready(): boolean {
    return this.row >= 0 && this.readyRows[this.row]!;
  }
}

/**
 * Computes fresh instances of `slots` (one timeframe, config order, each seeing the earlier ones'
 * columns) over candles of `timeframe` built from `minutes` by the same CandleAggregator as a run.
 * As in the original's resampling, a bucket becomes a row as soon as it has one 1m candle, so the
 * first and last buckets may be partial (`incomplete: 'skip'` drops such buckets instead); the
 * last bucket is a row even though it has not closed, as the original's data feed returned it.
 */
export function computeLookahead(
  slots: readonly IndicatorSlot[],
  timeframe: Timeframe,
  minutes: readonly Candle[],
  gatesReadiness: (slot: IndicatorSlot) => boolean,
  incomplete: IncompleteCandles = 'keep',
): LookaheadSeries {
  const fresh: Indicator[] = slots.map((s) => s.create());
  const upstream = slots.map((s) => s.upstreamSources.map(({ slot, index }) => ({ at: slots.indexOf(slot), index })));
  const upstreamPairs = slots.map((s) => s.upstream.map(([name]) => [name, null] as [string, IndicatorValue]));
  const width = slots.reduce((n, s) => n + s.columns.length, 0);
  const columns: IndicatorValue[][] = Array.from({ length: width }, () => []);
  const readyRows: boolean[] = [];
  const openTimes: number[] = [];
  const gating = slots.map(gatesReadiness);

  const emit = (c: Candle): void => {
    let k = 0;
    for (let i = 0; i < fresh.length; i++) {
      const ind = fresh[i]!;
      const pairs = upstreamPairs[i]!;
      if (pairs.length > 0) {
        const src = upstream[i]!;
        for (let j = 0; j < pairs.length; j++) pairs[j]![1] = fresh[src[j]!.at]!.values[src[j]!.index]!;
        ind.update(c, pairs);
      } else ind.update(c);
      for (const v of ind.values) columns[k++]!.push(v);
    }
    let ready = true;
    for (let i = 0; i < fresh.length; i++) if (gating[i] && !fresh[i]!.isReady()) ready = false;
    readyRows.push(ready);
    openTimes.push(c.openTime);
  };

  const aggregator = new CandleAggregator(timeframe, incomplete);
  for (const m of minutes) for (const c of aggregator.add(m)) emit(c);
  const last = aggregator.pending();
  if (last !== null) emit(last);
  return new LookaheadSeries(timeframe, openTimes, columns, readyRows);
}
