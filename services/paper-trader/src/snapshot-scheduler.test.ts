import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonStrategyStore, type SnapshotRecord } from '@btc-research/platform';
import { SnapshotScheduler } from './snapshot-scheduler.js';

const INTERVAL_MS = 10_000;

/** A strategy's position in the log, as its snapshots show it. */
function movingSource(strategyId: string) {
  const source = {
    marketSeq: 0,
    snapshotRecord: (): SnapshotRecord => ({ strategyId, eventSeq: source.marketSeq * 2, marketSeq: source.marketSeq, time: source.marketSeq * 60_000, state: { cash: `${10_000 - source.marketSeq}` } }),
  };
  return source;
}

describe('SnapshotScheduler (JSON store in a temp dir)', () => {
  let dir: string;
  let store: JsonStrategyStore;
  let clock: number;
  const now = () => clock;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-snapshots-'));
    store = new JsonStrategyStore({ dataDir: dir });
    clock = 1_700_000_000_000;
  });

  afterEach(async () => {
    await store.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const storedSeq = async (id: string) => {
    const load = await store.loadSnapshot(id);
    return load.status === 'ok' ? load.snapshot.marketSeq : load.status;
  };

  it('takes a snapshot at most once per interval', async () => {
    const source = movingSource('steady');
    const snapshots = new SnapshotScheduler(source, { store, now, intervalMs: INTERVAL_MS });
    expect(snapshots.isDue()).toBe(true);
    source.marketSeq = 5;
    await snapshots.saveNow();
    expect(await storedSeq('steady')).toBe(5);
    clock += INTERVAL_MS - 1;
    expect(snapshots.isDue()).toBe(false);
    expect(snapshots.takeIfDue()).toBeNull();
    clock += 1;
    source.marketSeq = 9;
    expect(snapshots.takeIfDue()?.marketSeq).toBe(9);
    expect(snapshots.isDue()).toBe(false); // taking it counts, even before it is saved
  });

  it('never replaces a newer snapshot with one taken earlier and saved late', async () => {
    const source = movingSource('raced');
    const snapshots = new SnapshotScheduler(source, { store, now, intervalMs: INTERVAL_MS });
    source.marketSeq = 10;
    const takenAtCommit = snapshots.takeIfDue()!;
    // meanwhile the strategy moved on and a newer snapshot was saved
    source.marketSeq = 20;
    await snapshots.saveNow();
    await snapshots.save(takenAtCommit);
    expect(await storedSeq('raced')).toBe(20);
    source.marketSeq = 30;
    await snapshots.save(source.snapshotRecord());
    expect(await storedSeq('raced')).toBe(30);
  });

  it('spreads the next snapshot by a random part of the interval', async () => {
    const plain = new SnapshotScheduler(movingSource('plain'), { store, now, intervalMs: INTERVAL_MS });
    const spread = new SnapshotScheduler(movingSource('spread'), { store, now, intervalMs: INTERVAL_MS });
    await plain.saveNow();
    await spread.saveNow();
    spread.spread(() => 0.25);
    clock += INTERVAL_MS * 0.75;
    expect(plain.isDue()).toBe(false);
    expect(spread.isDue()).toBe(true);
  });
});
