import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonStrategyStore, type MarketEventRecord } from '@btc-research/platform';
import { MarketLogTail } from './market-log-tail.js';

const SYMBOL = 'BTCUSDT';

describe('MarketLogTail (JSON store in a temp dir)', () => {
  let dir: string;
  let store: JsonStrategyStore;
  let ingesting: boolean;
  let tail: MarketLogTail;

  /** Appends `n` trades to the log as another writer would; returns the stored records. */
  const append = (from: number, n: number) =>
    store.appendMarketEvents(
      SYMBOL,
      Array.from({ length: n }, (_, k) => ({ kind: 'trade' as const, time: 1_000 * (from + k), sourceId: `trade:${from + k}`, data: { price: '100', quantity: '1' } })),
    );
  /** Copies of stored records, as this worker holds them in memory after writing them. */
  const inMemory = (records: readonly MarketEventRecord[]) => records.map((r) => ({ ...r }));
  const seqs = (records: readonly MarketEventRecord[]) => records.map((r) => r.seq);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-tail-'));
    store = new JsonStrategyStore({ dataDir: dir });
    ingesting = true;
    tail = new MarketLogTail({ store, isIngesting: () => ingesting });
  });

  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves what this worker appended from memory, and what memory does not cover from the store', async () => {
    const stored = await append(1, 10);
    const remembered = inMemory(stored.slice(5)); // seqs 6..10
    tail.remember(SYMBOL, remembered);
    const fromMemory = await tail.pageAfter(SYMBOL, 7);
    expect(seqs(fromMemory)).toEqual([8, 9, 10]);
    expect(fromMemory[0]).toBe(remembered[2]);
    expect(await tail.pageAfter(SYMBOL, 10)).toEqual([]); // up to date
    const older = await tail.pageAfter(SYMBOL, 2);
    expect(seqs(older)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(older).not.toContain(remembered[0]);
    expect(tail.knownEnd(SYMBOL)).toEqual({ seq: 10, time: 10_000 });
  });

  it('reads the store when the log is known to go further than memory, or this worker no longer writes it', async () => {
    const stored = await append(1, 10);
    const remembered = inMemory(stored);
    tail.remember(SYMBOL, remembered);
    const foreign = await append(11, 2); // another writer appended behind this one's back
    tail.note(SYMBOL, foreign[1]!);
    expect(seqs(await tail.pageAfter(SYMBOL, 10))).toEqual([11, 12]);
    ingesting = false;
    const page = await tail.pageAfter(SYMBOL, 7);
    expect(seqs(page)).toEqual([8, 9, 10, 11, 12]);
    expect(page).not.toContain(remembered[7]);
  });

  it('starts memory over after a gap, so it never serves a log with a hole in it', async () => {
    const stored = await append(1, 16);
    tail.remember(SYMBOL, inMemory(stored.slice(0, 10)));
    tail.remember(SYMBOL, inMemory(stored.slice(14))); // 15..16: 11..14 were written elsewhere
    expect(seqs(await tail.pageAfter(SYMBOL, 10))).toEqual([11, 12, 13, 14, 15, 16]);
    expect(seqs(await tail.pageAfter(SYMBOL, 14))).toEqual([15, 16]);
  });

  it('catches up with the stored log to learn where it ends', async () => {
    expect(await tail.catchUp(SYMBOL)).toEqual({ seq: 0, time: 0 });
    await append(1, 12);
    expect(await tail.catchUp(SYMBOL)).toEqual({ seq: 12, time: 12_000 });
    expect(tail.knownEnd(SYMBOL)).toEqual({ seq: 12, time: 12_000 });
  });
});
