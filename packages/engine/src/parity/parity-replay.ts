import type { IndicatorValue } from '../indicators/indicator.js';
import type { TradingCore } from '../kernel/trading-core.js';
import { decodeRecordedInput } from '../market/recorded-input.js';
import {
  DEFAULT_INDICATOR_TOLERANCE,
  type Divergence,
  type IndicatorCheckpoint,
  type PaperBalances,
  type PaperEvent,
  type PaperRecord,
  type ParityResult,
  type ParityWindow,
  type RecordedLogEntry,
} from './parity-types.js';
import { divergenceKindOf, fieldsOf, recordedEventOf, sameValue, toParityValue, valueAt, type RecordedEvent } from './recorded-event.js';

export interface ParityReplayOptions {
  /** relative tolerance for indicator values (default 0.0001, the seed's 0.01%) */
  indicatorTolerance?: number;
  /** seq of the last event paper trading recorded before the window (its run's event base, or a checkpoint's); default 0 */
  eventSeqBefore?: number;
  /** the last log entry the core had processed before the window (a core restored at a checkpoint): where an empty window's differences are placed */
  inputBefore?: { seq: number; time: number };
  /** market-log seqs after which paper trading force-exited the position (its state's forcedExitsAfter): replayed before the next entry */
  forcedExitsAfter?: readonly number[];
}

const BALANCE_FIELDS: ReadonlyArray<readonly [keyof PaperBalances, 'cash' | 'quantity' | 'avgEntryPrice' | 'realizedPnl' | 'feesPaid']> = [
  ['cash', 'cash'],
  ['quantity', 'quantity'],
  ['avgEntryPrice', 'avgEntryPrice'],
  ['realizedPnl', 'realizedPnl'],
  ['feesPaid', 'feesPaid'],
];

/**
 * Replays a strategy's recorded market log through a core of its own (fresh, or restored at a
 * checkpoint) and compares, as it goes, with what paper trading recorded: every event field by
 * field (decisions, orders, fills, fees; matched by event seq), indicator values at the given
 * checkpoints (within a relative tolerance), and the account at the end. It stops at the first
 * difference. Feed the log in chunks (`feed`) so a caller can yield between them, then `finish`.
 * Pure: no I/O, no clock.
 */
export class ParityReplay {
  private readonly tolerance: number;
  private readonly forcedExits: ReadonlySet<number>;
  private readonly events: readonly PaperEvent[];
  private readonly checkpoints: IndicatorCheckpoint[];
  private next = 0;
  private eventSeq: number;
  private divergence: Divergence | null = null;
  private readonly window: ParityWindow = { fromSeq: null, toSeq: null, from: null, to: null, inputs: 0 };
  private matched = 0;
  private checkpointsCompared = 0;
  private valuesCompared = 0;
  private maxDeviation = 0;
  private readonly before: { seq: number; time: number } | null;

  constructor(
    private readonly core: TradingCore,
    private readonly paper: PaperRecord,
    options: ParityReplayOptions = {},
  ) {
    this.tolerance = options.indicatorTolerance ?? DEFAULT_INDICATOR_TOLERANCE;
    this.forcedExits = new Set(options.forcedExitsAfter ?? []);
    if (!(this.tolerance >= 0)) throw new RangeError(`indicatorTolerance must be 0 or more, got ${this.tolerance}`);
    this.eventSeq = options.eventSeqBefore ?? 0;
    this.before = options.inputBefore ?? null;
    this.events = [...paper.events].sort((a, b) => a.seq - b.seq);
    this.checkpoints = [...paper.indicators].sort((a, b) => a.seq - b.seq);
    // the paper events of the window start after eventSeqBefore
    while (this.next < this.events.length && this.events[this.next]!.seq <= this.eventSeq) this.next += 1;
  }

  /** True once a difference was found (further input is ignored). */
  get diverged(): boolean {
    return this.divergence !== null;
  }

  /**
   * Replays the next log entries (seq increasing). Throws a RecordedInputError for an entry that is
   * not a market input, as paper trading would have.
   */
  feed(entries: Iterable<RecordedLogEntry>): void {
    for (const entry of entries) {
      if (this.divergence) return;
      if (this.window.toSeq !== null && entry.seq <= this.window.toSeq) throw new RangeError(`log entry ${entry.seq} is not after ${this.window.toSeq}`);
      const input = decodeRecordedInput(entry);
      // as the paper trader does: a force exit recorded after the previous input comes before this one
      const before = this.window.toSeq ?? this.before?.seq ?? entry.seq - 1;
      const events = this.forcedExits.has(before) ? [...this.core.forceExit(), ...this.core.onInput(input)] : this.core.onInput(input);
      this.note(entry);
      for (const e of events) {
        this.eventSeq += 1;
        this.compareEvent(this.eventSeq, recordedEventOf(e));
        if (this.divergence) return;
      }
      this.compareCheckpointsAt(entry.seq);
    }
  }

  /** True when finish() replayed a force exit paper trading made after the window's last input (no input after it yet). */
  endedWithForcedExit = false;

  /** Ends the replay: a force exit after the last input, a paper event the replay did not produce, then the balances; the verdict. */
  finish(): ParityResult {
    const last = this.window.toSeq ?? this.before?.seq ?? null;
    if (!this.divergence && last !== null && this.forcedExits.has(last)) {
      this.endedWithForcedExit = true;
      for (const e of this.core.forceExit()) {
        this.eventSeq += 1;
        this.compareEvent(this.eventSeq, recordedEventOf(e));
        if (this.divergence) break;
      }
    }
    if (!this.divergence && this.next < this.events.length) {
      const missing = this.events[this.next]!;
      this.differ(missing.seq, missing.type, missing, 'type', missing.type, null);
    }
    let balances = false;
    if (!this.divergence && this.paper.balances) {
      balances = true;
      this.compareBalances(this.paper.balances);
    }
    const firstDivergence = this.divergence ?? undefined;
    return {
      verdict: firstDivergence ? 'fail' : 'pass',
      window: { ...this.window },
      ...(firstDivergence ? { firstDivergence } : {}),
      compared: { events: this.matched, indicatorCheckpoints: this.checkpointsCompared, indicatorValues: this.valuesCompared, balances: balances && !firstDivergence },
      maxIndicatorDeviation: this.maxDeviation,
      indicatorTolerance: this.tolerance,
    };
  }

  private note(entry: RecordedLogEntry): void {
    const w = this.window;
    if (w.fromSeq === null) {
      w.fromSeq = entry.seq;
      w.from = entry.time;
    }
    w.toSeq = entry.seq;
    w.to = entry.time;
    w.inputs += 1;
  }

  private compareEvent(seq: number, replay: RecordedEvent | null): void {
    const paper = this.events[this.next];
    if (paper && paper.seq < seq) {
      // paper recorded an event where the replay had none
      this.differ(paper.seq, paper.type, paper, 'type', paper.type, null);
      return;
    }
    const same = paper !== undefined && paper.seq === seq ? paper : null;
    if (replay === null) {
      if (same) this.differ(seq, same.type, same, 'type', same.type, null);
      return;
    }
    if (!same) {
      this.differ(seq, replay.type, replay, 'type', null, replay.type);
      return;
    }
    this.next += 1;
    if (same.type !== replay.type) return this.differ(seq, same.type, same, 'type', same.type, replay.type);
    if (same.time !== replay.time) return this.differ(seq, same.type, same, 'time', same.time, replay.time);
    for (const field of fieldsOf(same.type)) {
      const a = valueAt(same.data, field);
      const b = valueAt(replay.data, field);
      if (!sameValue(a, b)) return this.differ(seq, same.type, same, field, a, b);
    }
    this.matched += 1;
  }

  private differ(seq: number, type: string, at: { time: number }, field: string, paper: Divergence['paper'], replay: Divergence['replay']): void {
    this.divergence = { at: at.time, kind: divergenceKindOf(type, field), field, paper, replay, eventSeq: seq, eventType: type, inputSeq: this.window.toSeq };
  }

  /** Compares the checkpoints taken right after entry `seq`; earlier ones (before the window, or at no entry) are passed over. */
  private compareCheckpointsAt(seq: number): void {
    while (this.checkpoints.length > 0 && this.checkpoints[0]!.seq <= seq) {
      const cp = this.checkpoints.shift()!;
      if (cp.seq === seq) this.compareIndicators(cp.values);
      if (this.divergence) return;
    }
  }

  private compareIndicators(paper: Readonly<Record<string, IndicatorValue>>): void {
    this.checkpointsCompared += 1;
    const replay = this.core.logic.columns();
    const names = [...new Set([...Object.keys(paper), ...Object.keys(replay)])].sort();
    for (const name of names) {
      const a = paper[name] ?? null;
      const b = replay[name] ?? null;
      this.valuesCompared += 1;
      const deviation = relativeDeviation(a, b);
      if (deviation !== null && deviation > this.maxDeviation) this.maxDeviation = deviation;
      if (deviation === null ? !sameIndicator(a, b) : deviation > this.tolerance) {
        this.divergence = { at: this.window.to ?? 0, kind: 'indicator', field: name, paper: toParityValue(a), replay: toParityValue(b), inputSeq: this.window.toSeq };
        return;
      }
    }
  }

  private compareBalances(paper: PaperBalances): void {
    const replay = this.core.ledger.snapshot();
    for (const [field, key] of BALANCE_FIELDS) {
      if (!sameValue(paper[field], replay[key])) {
        this.divergence = { at: this.window.to ?? this.before?.time ?? 0, kind: 'balance', field, paper: paper[field], replay: replay[key], inputSeq: this.window.toSeq ?? this.before?.seq ?? null };
        return;
      }
    }
  }
}

/** |a−b| / max(|a|,|b|) for two finite numbers (0 when equal); null when either is not a finite number. */
function relativeDeviation(a: IndicatorValue, b: IndicatorValue): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

function sameIndicator(a: IndicatorValue, b: IndicatorValue): boolean {
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Replays a recorded log through `core` and compares it with what paper trading did; see
 * ParityReplay. `core` must be built from the strategy's config exactly as paper trading built it
 * (same options and id prefix), fresh for a replay from the log's start or restored at a
 * checkpoint; `log` holds the entries after the core's position up to the last one paper trading
 * had processed.
 */
export function compareWithReplay(core: TradingCore, log: Iterable<RecordedLogEntry>, paper: PaperRecord, options: ParityReplayOptions = {}): ParityResult {
  const replay = new ParityReplay(core, paper, options);
  replay.feed(log);
  return replay.finish();
}
