import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('recognises every one of the last `capacity` ids and forgets the older ones, oldest first', () => {
    const recent = new RecentIds(1_000);
    for (let i = 0; i < 5_000; i++) recent.add(`trade:${i}`);
    expect(recent.size).toBe(1_000);
    for (let i = 4_000; i < 5_000; i++) expect(recent.has(`trade:${i}`)).toBe(true);
    expect(recent.has('trade:3999')).toBe(false);
    expect(recent.has('trade:0')).toBe(false);
  });

  it('does not count an id seen again twice, nor forget another for it', () => {
    const recent = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'a', 'c']) recent.add(id);
    expect(recent.size).toBe(3);
    expect(['a', 'b', 'c'].map((id) => recent.has(id))).toEqual([true, true, true]);
    recent.add('d');
    // 'a' was first seen first: it goes, the others stay
    expect(['a', 'b', 'c', 'd'].map((id) => recent.has(id))).toEqual([false, true, true, true]);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
    expect(() => new RecentIds(1.5)).toThrow(RangeError);
  });
});
