import type { DepthUpdateEvent, PriceLevel } from './binance-frames.js';

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: readonly PriceLevel[];
  asks: readonly PriceLevel[];
}

export interface DepthLevel {
  price: number;
  /** the exchange's exact price text */
  priceText: string;
  qty: string;
}

const isZero = (qty: string): boolean => Number(qty) === 0;

/**
 * A price-level order book keyed by the exchange's exact price text. A level with quantity 0 is
 * removed. Best prices are found by a scan (1,000 levels per side: cheap at depth@100ms rates);
 * `top(n)` sorts.
 */
export class OrderBook {
  readonly bids = new Map<string, DepthLevel>();
  readonly asks = new Map<string, DepthLevel>();
  lastUpdateId = 0;

  reset(snapshot: DepthSnapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of snapshot.bids) this.set(this.bids, p, q);
    for (const [p, q] of snapshot.asks) this.set(this.asks, p, q);
    this.lastUpdateId = snapshot.lastUpdateId;
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.lastUpdateId = 0;
  }

  apply(bids: readonly PriceLevel[], asks: readonly PriceLevel[], updateId: number): void {
    for (const [p, q] of bids) this.set(this.bids, p, q);
    for (const [p, q] of asks) this.set(this.asks, p, q);
    this.lastUpdateId = updateId;
  }

  private set(side: Map<string, DepthLevel>, priceText: string, qty: string): void {
    if (isZero(qty)) side.delete(priceText);
    else side.set(priceText, { price: Number(priceText), priceText, qty });
  }

  bestBid(): DepthLevel | undefined {
    let best: DepthLevel | undefined;
    for (const l of this.bids.values()) if (best === undefined || l.price > best.price) best = l;
    return best;
  }

  bestAsk(): DepthLevel | undefined {
    let best: DepthLevel | undefined;
    for (const l of this.asks.values()) if (best === undefined || l.price < best.price) best = l;
    return best;
  }

  /** the best `n` levels per side, best first (one pass per side for small n, a sort otherwise) */
  top(n: number): { bids: DepthLevel[]; asks: DepthLevel[] } {
    if (n > 64) {
      const bids = [...this.bids.values()].sort((a, b) => b.price - a.price).slice(0, n);
      const asks = [...this.asks.values()].sort((a, b) => a.price - b.price).slice(0, n);
      return { bids, asks };
    }
    return { bids: bestN(this.bids, n, true), asks: bestN(this.asks, n, false) };
  }

  /** every level as [price, qty] sorted best first: a canonical form for comparing books */
  levels(): { bids: PriceLevel[]; asks: PriceLevel[] } {
    const t = this.top(Number.POSITIVE_INFINITY);
    return { bids: t.bids.map((l) => [l.priceText, l.qty] as const), asks: t.asks.map((l) => [l.priceText, l.qty] as const) };
  }
}

/** The best n levels of a side without sorting the whole side: insertion into a small sorted array. */
function bestN(side: Map<string, DepthLevel>, n: number, descending: boolean): DepthLevel[] {
  const out: DepthLevel[] = [];
  if (n <= 0) return out;
  for (const l of side.values()) {
    if (out.length === n) {
      const worst = out[n - 1]!;
      if (descending ? l.price <= worst.price : l.price >= worst.price) continue;
      out.pop();
    }
    let i = out.length;
    while (i > 0 && (descending ? out[i - 1]!.price < l.price : out[i - 1]!.price > l.price)) i--;
    out.splice(i, 0, l);
  }
  return out;
}

export type DepthSyncResult =
  | { action: 'buffered' }
  | { action: 'applied' }
  | { action: 'ignored'; reason: 'stale' }
  /** a sequence gap: the book was dropped and a fresh snapshot is needed */
  | { action: 'gap'; expected: number; got: number };

export type SnapshotResult = { ok: true; applied: number } | { ok: false; reason: 'gap'; expected: number; got: number };

/**
 * Binance's documented procedure for a local order book
 * (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#how-to-manage-a-local-order-book-correctly):
 * buffer diff events, fetch a REST snapshot, drop buffered events with `u` ≤ lastUpdateId, the
 * first applied event must have `U` ≤ lastUpdateId + 1, and afterwards every event's `U` must be
 * the previous `u` + 1. Anything else is a gap: the book is dropped and must be resynced.
 */
export class DepthBookSync {
  readonly book = new OrderBook();
  private buffer: DepthUpdateEvent[] = [];
  private synced = false;
  gaps = 0;

  constructor(private readonly maxBuffered = 10_000) {}

  get isSynced(): boolean {
    return this.synced;
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  /** Id of the first buffered event (a snapshot older than this cannot bridge to it). */
  get firstBufferedUpdateId(): number | undefined {
    return this.buffer[0]?.firstUpdateId;
  }

  onDiff(ev: DepthUpdateEvent): DepthSyncResult {
    if (!this.synced) {
      this.buffer.push(ev);
      if (this.buffer.length > this.maxBuffered) this.buffer.shift();
      return { action: 'buffered' };
    }
    return this.applyOne(ev);
  }

  private applyOne(ev: DepthUpdateEvent): DepthSyncResult {
    const last = this.book.lastUpdateId;
    if (ev.finalUpdateId <= last) return { action: 'ignored', reason: 'stale' };
    if (ev.firstUpdateId > last + 1) {
      this.gaps += 1;
      this.desync();
      this.buffer.push(ev);
      return { action: 'gap', expected: last + 1, got: ev.firstUpdateId };
    }
    this.book.apply(ev.bids, ev.asks, ev.finalUpdateId);
    return { action: 'applied' };
  }

  /** Installs a REST snapshot and replays the buffered events on top of it. */
  onSnapshot(snapshot: DepthSnapshot): SnapshotResult {
    this.book.reset(snapshot);
    this.synced = true;
    const pending = this.buffer;
    this.buffer = [];
    let applied = 0;
    for (let i = 0; i < pending.length; i++) {
      const r = this.applyOne(pending[i]!);
      if (r.action === 'gap') {
        // the snapshot is older than the oldest buffered event: keep the rest buffered, fetch again
        this.buffer.push(...pending.slice(i + 1));
        return { ok: false, reason: 'gap', expected: r.expected, got: r.got };
      }
      if (r.action === 'applied') applied += 1;
    }
    return { ok: true, applied };
  }

  /** Drops the book (on disconnect or gap); diffs are buffered until the next snapshot. */
  desync(): void {
    this.synced = false;
    this.book.clear();
    this.buffer = [];
  }
}
