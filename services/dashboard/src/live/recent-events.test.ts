import { describe, expect, it } from 'vitest';
import type { LiveEvent } from './live-event.js';
import { RECENT_EVENTS_MS, RecentEvents } from './recent-events.js';

const fill = (n: number): LiveEvent => ({ type: 'strategy.order.filled', payload: { strategyId: 's', tradeId: n } });

function clockAt(start: number): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

describe('RecentEvents: what a page missed between its render and its live connection', () => {
  it('replays what came at or after the render, only while the upstream has been connected since before it', () => {
    const clock = clockAt(1_000);
    const recent = new RecentEvents(clock.now);
    expect(recent.since(1_000)).toBeNull(); // never connected
    recent.restart(); // connected at 1,000
    clock.set(1_500);
    recent.record(fill(1));
    clock.set(2_000);
    recent.record(fill(2));
    expect(recent.since(1_800)).toEqual([fill(2)]);
    expect(recent.since(1_500)).toEqual([fill(1), fill(2)]);
    expect(recent.since(2_100)).toEqual([]);
    expect(recent.since(900)).toBeNull(); // rendered before the upstream was connected
    recent.end(); // the upstream went down
    expect(recent.since(1_800)).toBeNull();
    recent.restart(); // up again at 2,000: what came while it was down is unknown
    expect(recent.since(1_800)).toBeNull();
    expect(recent.since(2_000)).toEqual([]);
  });

  it('answers null for a render older than it keeps, or older than an event it dropped', () => {
    const clock = clockAt(0);
    const recent = new RecentEvents(clock.now);
    recent.restart();
    clock.set(10);
    recent.record(fill(1));
    clock.set(RECENT_EVENTS_MS + 20);
    recent.record(fill(2)); // fill 1 is dropped now
    expect(recent.since(5)).toBeNull();
    expect(recent.since(10)).toBeNull();
    expect(recent.since(11)).toBeNull(); // older than what it keeps (60 s)
    expect(recent.since(RECENT_EVENTS_MS + 20)).toEqual([fill(2)]);
    // at most 2,000 entries: the oldest go first, and a render before them is not covered
    for (let i = 0; i < 2_001; i += 1) {
      clock.set(RECENT_EVENTS_MS + 100 + i);
      recent.record(fill(100 + i));
    }
    expect(recent.since(RECENT_EVENTS_MS + 100)).toBeNull();
    expect(recent.since(RECENT_EVENTS_MS + 101)?.length).toBe(2_000);
  });
});
