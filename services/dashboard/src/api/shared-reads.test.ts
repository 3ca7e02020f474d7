import { describe, expect, it } from 'vitest';
import { SharedReads } from './shared-reads.js';

describe('SharedReads', () => {
  it('shares identical reads within the TTL and reads again after it', async () => {
    let now = 0;
    let loads = 0;
    const reads = new SharedReads(1000, () => now);
    const load = async (): Promise<number> => ++loads;
    expect(await Promise.all([reads.get('k', load), reads.get('k', load)])).toEqual([1, 1]);
    now = 999;
    expect(await reads.get('k', load)).toBe(1);
    now = 1000;
    expect(await reads.get('k', load)).toBe(2);
    expect(await reads.get('other', load)).toBe(3);
  });

  it('forgets a failed read at once, and shares nothing when off or cleared', async () => {
    let loads = 0;
    const reads = new SharedReads(1000);
    await expect(reads.get('k', async () => Promise.reject(new Error(`fail ${++loads}`)))).rejects.toThrow('fail 1');
    expect(await reads.get('k', async () => ++loads)).toBe(2);
    reads.clear();
    expect(await reads.get('k', async () => ++loads)).toBe(3);
    const off = new SharedReads(0);
    expect([await off.get('k', async () => ++loads), await off.get('k', async () => ++loads)]).toEqual([4, 5]);
  });
});
