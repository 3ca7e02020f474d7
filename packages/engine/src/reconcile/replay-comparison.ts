import { toDecimalString } from '../core/decimal.js';
import type { TradingCore } from '../kernel/trading-core.js';
import { compareWithReplay } from '../parity/parity-replay.js';
import type { Divergence, PaperBalances, PaperEvent, ParityWindow, RecordedLogEntry } from '../parity/parity-types.js';
import type { ReconcileFill } from './reconcile-fills.js';

/** Part (a) of the report: paper trading against a replay of its whole recorded log through a fresh core. */
export interface ReplayVerdict {
  identical: boolean;
  /** `events`: the event log field by field (decisions, orders, fills, fees) and the account; `fills`: the stored fills only (no event log given) */
  basis: 'events' | 'fills';
  /** events (or fills) that matched */
  compared: number;
  window: ParityWindow;
  /** the first difference, with both values; null when identical */
  firstDifference: Divergence | null;
}

export interface PaperHistory {
  /** the strategy's event log of this run, in seq order */
  events: readonly PaperEvent[];
  /** the last event seq before this run (its event base) */
  eventSeqBefore: number;
  /** the account after the last input of the log given; null: not compared */
  balances: PaperBalances | null;
  /** market-log seqs after which the position was force-exited (replayed at the same points) */
  forcedExitsAfter?: readonly number[];
}

/** With the event log: the parity replay (i13-parity's compareWithReplay) over the whole log. */
export function compareEvents(core: TradingCore, log: readonly RecordedLogEntry[], paper: PaperHistory): ReplayVerdict {
  const r = compareWithReplay(core, log, { events: paper.events, balances: paper.balances, indicators: [] }, { eventSeqBefore: paper.eventSeqBefore, ...(paper.forcedExitsAfter ? { forcedExitsAfter: paper.forcedExitsAfter } : {}) });
  return { identical: r.verdict === 'pass', basis: 'events', compared: r.compared.events, window: r.window, firstDifference: r.firstDivergence ?? null };
}

const FIELDS = ['tradeId', 'orderId', 'side', 'quantity', 'price', 'fee', 'time', 'reason'] as const;

function text(f: ReconcileFill, field: (typeof FIELDS)[number]): string {
  const v = f[field];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : toDecimalString(v);
}

/** Without the event log: the paper trader's fills against the replay's, fill by fill and field by field. */
export function compareFills(paper: readonly ReconcileFill[], replay: readonly ReconcileFill[], window: ParityWindow): ReplayVerdict {
  const n = Math.max(paper.length, replay.length);
  const differ = (i: number, at: number, field: string, a: string | null, b: string | null): ReplayVerdict => ({
    identical: false,
    basis: 'fills',
    compared: i,
    window,
    firstDifference: { at, kind: field === 'fee' ? 'fee' : 'fill', field, paper: a, replay: b, inputSeq: null },
  });
  for (let i = 0; i < n; i++) {
    const p = paper[i];
    const r = replay[i];
    if (p === undefined || r === undefined) return differ(i, (p ?? r)!.time, 'tradeId', p ? p.tradeId : null, r ? r.tradeId : null);
    for (const field of FIELDS) {
      const a = text(p, field);
      const b = text(r, field);
      if (a !== b) return differ(i, p.time, field, a, b);
    }
  }
  return { identical: true, basis: 'fills', compared: n, window, firstDifference: null };
}
