import type { DepthSnapshot } from '@btc-research/engine';
import { DepthBook } from './depth-book.js';
import type { DepthUpdateEvent } from './frames.js';

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
  readonly book = new DepthBook();
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
