import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { FrameStats } from './frame-stats.js';

describe('circuit breaker', () => {
  it('opens after the threshold, half-opens after the open period, closes on success, doubles the period on a failed trial', () => {
    let now = 0;
    const cb = new CircuitBreaker({ failureThreshold: 3, openMs: 1_000, maxOpenMs: 3_000, now: () => now });
    cb.onFailure();
    cb.onFailure();
    expect(cb.state).toBe('closed');
    cb.onFailure();
    expect(cb.state).toBe('open');
    expect(cb.waitMs()).toBe(1_000);
    now = 1_000;
    expect(cb.state).toBe('half-open');
    cb.onFailure();
    expect(cb.state).toBe('open');
    expect(cb.retryAt).toBe(3_000);
    now = 3_000;
    expect(cb.state).toBe('half-open');
    cb.onSuccess();
    expect([cb.state, cb.consecutiveFailures, cb.opens]).toEqual(['closed', 0, 2]);
  });
});

describe('FrameStats', () => {
  it('counts every rejection and logs each kind once with a truncated sample', () => {
    const lines: Array<{ kind: string; sample: string }> = [];
    const stats = new FrameStats({ warn: (obj: { kind: string; sample: string }) => void lines.push(obj) } as never);
    for (let i = 0; i < 100; i++) stats.reject('not-json', 'bad', `{garbage ${i}`);
    stats.reject('bad-trade', 'bad', 'x'.repeat(1000));
    expect(stats.dropped).toEqual({ 'not-json': 100, 'bad-trade': 1 });
    expect(stats.total).toBe(101);
    expect(lines.map((l) => l.kind)).toEqual(['not-json', 'bad-trade']);
    expect(lines[0]!.sample).toBe('{garbage 0');
    expect(lines[1]!.sample.length).toBeLessThanOrEqual(301);
  });
});
