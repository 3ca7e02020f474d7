import type { IndicatorValue } from '../indicators/indicator.js';

/** One entry of a recorded market log: a recorded input (see decodeRecordedInput) with its position in the log. */
export interface RecordedLogEntry {
  readonly seq: number;
  readonly kind: string;
  readonly time: number;
  readonly data: unknown;
}

/**
 * One event as paper trading recorded it in its event log: `type` is `signal`, `order.<change>`,
 * `order.rejected.reason` or `trade`; `seq` counts every event the core produced (see
 * recordedEventOf), so a replay numbers its events the same way.
 */
export interface PaperEvent {
  readonly seq: number;
  readonly type: string;
  readonly time: number;
  readonly data: unknown;
}

/** The account as paper trading holds it after the last input it processed (decimal strings). */
export interface PaperBalances {
  readonly cash: string;
  readonly quantity: string;
  readonly avgEntryPrice: string;
  readonly realizedPnl: string;
  readonly feesPaid: string;
}

/** Indicator values paper trading held right after processing the log entry `seq` (e.g. from a snapshot's image). */
export interface IndicatorCheckpoint {
  readonly seq: number;
  readonly values: Readonly<Record<string, IndicatorValue>>;
}

/** What paper trading did over the window being checked. */
export interface PaperRecord {
  /** its event log in seq order, from the first event of the window to the last one the window produced */
  readonly events: readonly PaperEvent[];
  /** its account at the window's end; null: not compared */
  readonly balances: PaperBalances | null;
  /** indicator values at points inside the window (points outside it are not compared) */
  readonly indicators: readonly IndicatorCheckpoint[];
}

export type DivergenceKind = 'indicator' | 'decision' | 'order' | 'fill' | 'fee' | 'balance';

/** A value as both sides had it, JSON-safe (non-finite numbers as text, absent as null). */
export type ParityValue = string | number | boolean | null;

/** The first place where the replay and paper trading differ, with both values. */
export interface Divergence {
  /** epoch ms: the event's time, or the time of the last input replayed for indicators and balances */
  at: number;
  kind: DivergenceKind;
  /** e.g. `price`, `quality.vwap`, `type` (an event one side has and the other not), `RSI_14`, `cash` */
  field: string;
  paper: ParityValue;
  replay: ParityValue;
  /** the event-log seq of the differing event (events only) */
  eventSeq?: number;
  /** the event's type as paper trading recorded it, else as the replay produced it (events only) */
  eventType?: string;
  /** the market-log seq of the input replayed last when the difference showed */
  inputSeq: number | null;
}

/** The part of the recorded log a check replayed. Times are those of its first and last input (null: none). */
export interface ParityWindow {
  fromSeq: number | null;
  toSeq: number | null;
  from: number | null;
  to: number | null;
  inputs: number;
}

export interface ParityResult {
  verdict: 'pass' | 'fail';
  window: ParityWindow;
  firstDivergence?: Divergence;
  compared: {
    /** paper events matched by the replay, field by field */
    events: number;
    indicatorCheckpoints: number;
    indicatorValues: number;
    balances: boolean;
  };
  /** the largest relative difference of an indicator value seen (0: exact) */
  maxIndicatorDeviation: number;
  /** the relative indicator tolerance applied */
  indicatorTolerance: number;
}

/** The seed's tolerance for indicator values: 0.01% (relative). The engine is expected to be exact. */
export const DEFAULT_INDICATOR_TOLERANCE = 0.0001;
