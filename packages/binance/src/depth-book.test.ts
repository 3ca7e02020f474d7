import { describe, expect, it } from 'vitest';
import { DepthBook } from './depth-book.js';
import { DepthBookSync } from './depth-book-sync.js';
import type { DepthUpdateEvent } from './frames.js';

const diff = (U: number, u: number, b: Array<[string, string]> = [], a: Array<[string, string]> = []): DepthUpdateEvent => ({ kind: 'depth', symbol: 'BTCUSDT', eventTime: 1, firstUpdateId: U, finalUpdateId: u, bids: b, asks: a });

describe('DepthBookSync (Binance snapshot + diff procedure)', () => {
  it('buffers, drops diffs the snapshot covers, applies the bridging one and the rest in sequence', () => {
    const s = new DepthBookSync();
    expect(s.onDiff(diff(90, 95, [['10', '1']]))).toEqual({ action: 'buffered' });
    s.onDiff(diff(96, 101, [['10', '2']], [['11', '1']]));
    s.onDiff(diff(102, 103, [['9', '4']]));
    expect(s.onSnapshot({ lastUpdateId: 100, bids: [['10', '5'], ['8', '1']], asks: [['12', '1']] })).toEqual({ ok: true, applied: 2 });
    expect(s.book.levels()).toEqual({ bids: [['10', '2'], ['9', '4'], ['8', '1']], asks: [['11', '1'], ['12', '1']] });
    expect(s.onDiff(diff(104, 104, [['8', '0']]))).toEqual({ action: 'applied' });
    expect(s.onDiff(diff(100, 104))).toEqual({ action: 'ignored', reason: 'stale' });
    expect(s.book.bestBid()?.priceText).toBe('10');
    expect(s.book.bestAsk()?.priceText).toBe('11');
    expect(s.onDiff(diff(106, 107))).toEqual({ action: 'gap', expected: 105, got: 106 });
    expect(s.isSynced).toBe(false);
    expect(s.bufferedCount).toBe(1);
  });

  it('reports a snapshot too old to bridge the buffered diffs', () => {
    const s = new DepthBookSync();
    s.onDiff(diff(200, 210));
    expect(s.onSnapshot({ lastUpdateId: 150, bids: [], asks: [] })).toEqual({ ok: false, reason: 'gap', expected: 151, got: 200 });
  });

  it('top(n) equals the first n of the fully sorted book', () => {
    const b = new DepthBook();
    const bids: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++) bids.push([(1000 - ((i * 37) % 300)).toFixed(2), '1']);
    b.reset({ lastUpdateId: 1, bids, asks: bids.map(([p, q]) => [(Number(p) + 500).toFixed(2), q] as [string, string]) });
    const all = b.levels();
    const t = b.top(20);
    expect(t.bids.map((l) => l.priceText)).toEqual(all.bids.slice(0, 20).map((l) => l[0]));
    expect(t.asks.map((l) => l.priceText)).toEqual(all.asks.slice(0, 20).map((l) => l[0]));
  });
});
