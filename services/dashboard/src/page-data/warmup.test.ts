import { describe, expect, it } from 'vitest';
import { humanDuration } from './warmup.js';

describe('humanDuration', () => {
  it('gives the two largest units a person reads at a glance', () => {
    expect(humanDuration(30_000)).toBe('< 1 min');
    expect(humanDuration(45 * 60_000)).toBe('45 min');
    expect(humanDuration(3 * 3_600_000 + 20 * 60_000 + 5_000)).toBe('3 h 20 min');
    expect(humanDuration(4 * 86_400_000 + 5 * 60_000)).toBe('4 d');
    expect(humanDuration(101 * 3_600_000)).toBe('4 d 5 h');
  });
});
