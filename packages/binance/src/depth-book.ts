import type { DepthSnapshot, PriceLevel } from '@btc-research/engine';

/** A level of the book; its quantity changes in place with the diffs (copy what you keep). */
export interface DepthLevel {
  readonly price: number;
  /** the exchange's exact price text */
  readonly priceText: string;
  qty: string;
}

const isZero = (qty: string): boolean => Number(qty) === 0;

/**
 * The venue's depth book (not the simulated exchange's execution book, the engine's LiveBook): a
 * price-level order book keyed by the exchange's exact price text. A level with quantity 0 is
 * removed. Best prices are found by a scan (1,000 levels per side: cheap at depth@100ms rates);
 * `top(n)` sorts.
 */
export class DepthBook {
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

  /** A level already in the book takes the new quantity in place (most diffs change a quantity). */
  private set(side: Map<string, DepthLevel>, priceText: string, qty: string): void {
    if (isZero(qty)) {
      side.delete(priceText);
      return;
    }
    const level = side.get(priceText);
    if (level === undefined) side.set(priceText, { price: Number(priceText), priceText, qty });
    else level.qty = qty;
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
