import { toDecimalString } from '../core/decimal.js';
import type { ReconcileFill } from './reconcile-fills.js';

/** Paper trading against a replay of its recorded market log through a fresh core. */
export interface ReplayVerdict {
  identical: boolean;
  /** how many fills were compared */
  compared: number;
  /** the first field that differs, with both values; null when identical */
  firstDifference: { index: number; tradeId: string | null; field: string; paper: string | null; replay: string | null } | null;
}

const FIELDS = ['tradeId', 'orderId', 'side', 'quantity', 'price', 'fee', 'time', 'reason'] as const;

function text(f: ReconcileFill, field: (typeof FIELDS)[number]): string {
  const v = f[field];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : toDecimalString(v);
}

/** Compares the paper trader's fills with the replay's, fill by fill and field by field. */
export function compareFills(paper: readonly ReconcileFill[], replay: readonly ReconcileFill[]): ReplayVerdict {
  const n = Math.max(paper.length, replay.length);
  for (let i = 0; i < n; i++) {
    const p = paper[i];
    const r = replay[i];
    if (p === undefined || r === undefined) {
      const present = (p ?? r)!;
      return { identical: false, compared: i, firstDifference: { index: i, tradeId: present.tradeId, field: 'fill', paper: p ? p.tradeId : null, replay: r ? r.tradeId : null } };
    }
    for (const field of FIELDS) {
      const a = text(p, field);
      const b = text(r, field);
      if (a !== b) return { identical: false, compared: i, firstDifference: { index: i, tradeId: p.tradeId, field, paper: a, replay: b } };
    }
  }
  return { identical: true, compared: n, firstDifference: null };
}
