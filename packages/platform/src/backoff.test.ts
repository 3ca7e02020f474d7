import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially with jitter inside [ceiling/2, ceiling], capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 1_000, random: () => 0 }))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 1_000, random: () => 1 }))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(20, { baseMs: 100, maxMs: 1_000, random: () => 0.5 })).toBe(750);
  });

  it('stays finite and capped for absurd attempt counts, and treats attempt 0 as the first', () => {
    expect(backoffDelay(10_000, { baseMs: 100, maxMs: 5_000, random: () => 1 })).toBe(5_000);
    expect(backoffDelay(0, { baseMs: 100, maxMs: 5_000, random: () => 1 })).toBe(100);
  });

  it('spreads clients that failed together (the default random source)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, { baseMs: 100, maxMs: 10_000 })));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(800);
    for (const d of delays) expect(d).toBeLessThanOrEqual(1_600);
  });
});
