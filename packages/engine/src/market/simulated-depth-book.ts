import { SeededRng } from '../core/rng.js';
import type { DepthSnapshot, PriceLevel } from './book-levels.js';

export interface SimulatedDepthBookOptions {
  seed: number;
  tickSize?: number;
  /** price distance between resting levels behind the top of book */
  levelSpacing?: number;
  /** levels per side */
  levels?: number;
  firstUpdateId?: number;
}

export interface SimulatedDepthDiff {
  firstUpdateId: number;
  finalUpdateId: number;
  bids: PriceLevel[];
  asks: PriceLevel[];
}

/**
 * A depth book that follows a mid price: the top of book sits half a spread around the mid, resting
 * levels every `levelSpacing` behind it; levels crossed by a move are removed, new ones appear,
 * quantities churn, and trades consume the touch (it refills on the next step). `step` returns the
 * changes as one Binance-style diff (U..u update ids), so the same book serves the simulated source
 * and the local Binance server used in tests.
 */
export class SimulatedDepthBook {
  private readonly rng: SeededRng;
  private readonly tick: number;
  private readonly spacingTicks: number;
  private readonly levels: number;
  /** price in ticks → quantity */
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private updateId: number;

  constructor(o: SimulatedDepthBookOptions) {
    this.rng = new SeededRng(o.seed ^ 0x5eed);
    this.tick = o.tickSize ?? 0.01;
    this.spacingTicks = Math.max(1, Math.round((o.levelSpacing ?? 0.5) / this.tick));
    this.levels = o.levels ?? 100;
    this.updateId = o.firstUpdateId ?? 1_000_000;
  }

  get lastUpdateId(): number {
    return this.updateId;
  }

  private text(ticks: number): string {
    return (ticks * this.tick).toFixed(8);
  }

  private qty(): number {
    return Math.max(0.00001, Number(Math.exp(this.rng.normal() * 1.1 - 1.2).toFixed(5)));
  }

  private static best(side: Map<number, number>, max: boolean): number | undefined {
    let best: number | undefined;
    for (const k of side.keys()) if (best === undefined || (max ? k > best : k < best)) best = k;
    return best;
  }

  /** Moves the book to `mid` with a spread of `spreadTicks`; returns the changes (null when nothing changed). */
  step(mid: number, spreadTicks = 1): SimulatedDepthDiff | null {
    const changes = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    const bb = Math.floor(mid / this.tick - spreadTicks / 2);
    const ba = bb + Math.max(1, spreadTicks);
    const wantBid = new Set<number>([bb]);
    let k = Math.floor((bb - 1) / this.spacingTicks) * this.spacingTicks;
    while (wantBid.size < this.levels) {
      wantBid.add(k);
      k -= this.spacingTicks;
    }
    const wantAsk = new Set<number>([ba]);
    k = Math.ceil((ba + 1) / this.spacingTicks) * this.spacingTicks;
    while (wantAsk.size < this.levels) {
      wantAsk.add(k);
      k += this.spacingTicks;
    }
    const sync = (side: Map<number, number>, want: Set<number>, out: Map<number, number>) => {
      for (const p of [...side.keys()]) {
        if (!want.has(p)) {
          side.delete(p);
          out.set(p, 0);
        }
      }
      for (const p of want) {
        if (!side.has(p)) {
          const q = this.qty();
          side.set(p, q);
          out.set(p, q);
        }
      }
      // churn: a few resting levels change size
      const keys = [...side.keys()];
      const n = this.rng.int(0, 3);
      for (let i = 0; i < n && keys.length > 0; i++) {
        const p = keys[this.rng.int(0, keys.length - 1)]!;
        const q = this.qty();
        side.set(p, q);
        out.set(p, q);
      }
    };
    sync(this.bids, wantBid, changes.bids);
    sync(this.asks, wantAsk, changes.asks);
    return this.emit(changes);
  }

  /** A trade takes liquidity from the touch: a sell aggressor (buyer is maker) from the best bid. */
  consume(isBuyerMaker: boolean, quantity: number): SimulatedDepthDiff | null {
    const side = isBuyerMaker ? this.bids : this.asks;
    const best = SimulatedDepthBook.best(side, isBuyerMaker);
    if (best === undefined) return null;
    const left = Number(((side.get(best) ?? 0) - quantity).toFixed(5));
    const changes = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    const out = isBuyerMaker ? changes.bids : changes.asks;
    if (left <= 0) {
      side.delete(best);
      out.set(best, 0);
    } else {
      side.set(best, left);
      out.set(best, left);
    }
    return this.emit(changes);
  }

  private emit(changes: { bids: Map<number, number>; asks: Map<number, number> }): SimulatedDepthDiff | null {
    const count = changes.bids.size + changes.asks.size;
    if (count === 0) return null;
    const firstUpdateId = this.updateId + 1;
    this.updateId += count;
    const fmt = (m: Map<number, number>): PriceLevel[] => [...m].map(([p, q]) => [this.text(p), q.toFixed(8)] as const);
    return { firstUpdateId, finalUpdateId: this.updateId, bids: fmt(changes.bids), asks: fmt(changes.asks) };
  }

  bestBid(): { price: string; qty: string } | undefined {
    const b = SimulatedDepthBook.best(this.bids, true);
    return b === undefined ? undefined : { price: this.text(b), qty: this.bids.get(b)!.toFixed(8) };
  }

  bestAsk(): { price: string; qty: string } | undefined {
    const a = SimulatedDepthBook.best(this.asks, false);
    return a === undefined ? undefined : { price: this.text(a), qty: this.asks.get(a)!.toFixed(8) };
  }

  /** The whole book as a /api/v3/depth body (best first), limited to `limit` levels per side. */
  snapshot(limit = 5000): DepthSnapshot {
    const bids = [...this.bids].sort((a, b) => b[0] - a[0]).slice(0, limit).map(([p, q]) => [this.text(p), q.toFixed(8)] as const);
    const asks = [...this.asks].sort((a, b) => a[0] - b[0]).slice(0, limit).map(([p, q]) => [this.text(p), q.toFixed(8)] as const);
    return { lastUpdateId: this.updateId, bids, asks };
  }
}
