import { Decimal, toDecimalString } from '../core/decimal.js';
import { tradeView, type CoreEvent } from '../kernel/trading-core.js';
import type { DivergenceKind, ParityValue } from './parity-types.js';

/** A core event in the form an event log records it (null: a kind the event log does not record). */
export interface RecordedEvent {
  type: string;
  time: number;
  data: Record<string, unknown>;
}

/**
 * The event-log form of a core event, as the paper trader writes it: `signal`, `order.<change>`,
 * `order.rejected.reason` and `trade` (decimals as text). Equity-protection events are not recorded
 * (null), though they still take a seq.
 */
export function recordedEventOf(e: CoreEvent): RecordedEvent | null {
  switch (e.type) {
    case 'signal':
      return { type: 'signal', time: e.time, data: { signal: e.signal, price: e.price } };
    case 'order':
      return { type: `order.${e.change}`, time: e.order.updatedAt, data: { ...e.order } };
    case 'order-rejected':
      return { type: 'order.rejected.reason', time: e.time, data: { orderId: e.orderId, reason: e.reason, message: e.message } };
    case 'trade': {
      // the recorded event predates fill provenance; replay and paper derive it alike, so it is left out
      const { provenance: _provenance, ...data } = tradeView(e.trade);
      return { type: 'trade', time: e.trade.time, data };
    }
    case 'equity-protection':
      return null;
  }
}

const QUALITY = ['quality.decisionPrice', 'quality.arrivalMid', 'quality.vwap', 'quality.slippageBps', 'quality.latencyMs', 'quality.levelsConsumed'];
const ORDER_FIELDS = [
  'orderId',
  'side',
  'type',
  'quantity',
  'limitPrice',
  'stopPrice',
  'reduceOnly',
  'status',
  'filledQty',
  'avgPrice',
  'fees',
  'reason',
  'decidedAt',
  'arrivesAt',
  'triggeredAt',
  'rejectReason',
  'rejectMessage',
  'updatedAt',
  ...QUALITY,
];
const TRADE_FIELDS = ['tradeId', 'orderId', 'side', 'quantity', 'price', 'fee', 'realizedPnl', 'reason', 'time', 'liquidity', ...QUALITY];

/** The data fields compared for an event type, in the order they are checked. */
export function fieldsOf(type: string): readonly string[] {
  if (type === 'signal') return ['signal', 'price'];
  if (type === 'trade') return TRADE_FIELDS;
  if (type === 'order.rejected.reason') return ['orderId', 'reason', 'message'];
  if (type.startsWith('order.')) return ORDER_FIELDS;
  return [];
}

/** Which kind of difference a field of an event type is. */
export function divergenceKindOf(type: string, field: string): DivergenceKind {
  if (type === 'signal') return 'decision';
  if (type === 'trade') return field === 'fee' ? 'fee' : 'fill';
  return 'order';
}

/** The value at a dotted path of recorded data, JSON-safe. */
export function valueAt(data: unknown, path: string): ParityValue {
  let v: unknown = data;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string, unknown>)[key];
  }
  return toParityValue(v);
}

export function toParityValue(v: unknown): ParityValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Decimal.isDecimal(v)) return toDecimalString(v as Decimal);
  return JSON.stringify(v);
}

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** Exact equality; decimal text compares by value ("1.50" is "1.5"), as a store may write it either way. */
export function sameValue(a: ParityValue, b: ParityValue): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL_TEXT.test(a) && DECIMAL_TEXT.test(b)) return new Decimal(a).eq(b);
  return false;
}
