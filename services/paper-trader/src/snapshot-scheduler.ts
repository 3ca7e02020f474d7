import type { SnapshotRecord, StrategyStore } from '@btc-research/platform';

/** Where a strategy's snapshots come from: its runner, as it is now. */
export interface SnapshotSource {
  snapshotRecord(): SnapshotRecord;
}

export interface SnapshotSchedulerOptions {
  store: StrategyStore;
  now: () => number;
  /** a snapshot at most this often */
  intervalMs: number;
}

/**
 * When one strategy's checksummed snapshot is taken and that an older one never replaces a newer:
 * the one-commit path takes its snapshot when the batch is committed but saves it a little later,
 * after the strategy's pump may have saved a newer one.
 */
export class SnapshotScheduler {
  private lastTakenAt = 0;
  /** market-log seq of the newest snapshot saved */
  private newestSeq = 0;

  constructor(
    private readonly source: SnapshotSource,
    private readonly options: SnapshotSchedulerOptions,
  ) {}

  isDue(): boolean {
    return this.options.now() - this.lastTakenAt >= this.options.intervalMs;
  }

  /** Takes and saves a snapshot now. */
  async saveNow(): Promise<void> {
    await this.save(this.source.snapshotRecord());
    this.lastTakenAt = this.options.now();
  }

  /** Takes a snapshot if one is due (to be saved later with `save`), else null. */
  takeIfDue(): SnapshotRecord | null {
    if (!this.isDue()) return null;
    const snapshot = this.source.snapshotRecord();
    this.lastTakenAt = this.options.now();
    return snapshot;
  }

  /** Saves a snapshot taken earlier, unless a newer one was saved meanwhile. */
  async save(snapshot: SnapshotRecord): Promise<void> {
    if (snapshot.marketSeq < this.newestSeq) return;
    this.newestSeq = snapshot.marketSeq;
    await this.options.store.saveSnapshot(snapshot);
  }

  /**
   * Moves the next snapshot forward by a random part of the interval: strategies activated together
   * would otherwise all take their next image in the same batch.
   */
  spread(random: () => number = Math.random): void {
    this.lastTakenAt -= Math.floor(random() * this.options.intervalMs);
  }
}
