import { SerialQueue } from './serial-queue.js';
import type { SnapshotScheduler } from './snapshot-scheduler.js';
import { StrategyPump } from './strategy-pump.js';
import type { StrategyRunner } from './strategy-runner.js';

/** What keeps an owned strategy following the market log. */
export interface LogFollower {
  /** one round: follow the log from the strategy's position to its end */
  follow(strategy: OwnedStrategy): Promise<void>;
  /** false once the strategy is no longer followed (dropped, or the service closes) */
  isFollowing(strategy: OwnedStrategy): boolean;
  /** a round failed after the strategy processed inputs it could not persist */
  onFollowFailed(strategy: OwnedStrategy, err: unknown): void;
}

/** A strategy this worker runs under its lease: its runner, its pump and its snapshot schedule. */
export class OwnedStrategy {
  readonly pump: StrategyPump;
  /** announcements and snapshots of batches the log writer committed, in order */
  readonly followUps = new SerialQueue();
  /** wall time this worker activated it (a warm-up history is awaited for a while after) */
  activatedAt = 0;

  constructor(
    readonly runner: StrategyRunner,
    readonly snapshots: SnapshotScheduler,
    follower: LogFollower,
  ) {
    this.pump = new StrategyPump({
      follow: () => follower.follow(this),
      shouldContinue: () => follower.isFollowing(this),
      onFailure: (err) => follower.onFollowFailed(this, err),
    });
  }

  get id(): string {
    return this.runner.record.id;
  }

  get symbol(): string {
    return this.runner.record.symbol;
  }

  /** True when the strategy was warming up and its indicators are now ready. */
  hasBecomeReady(): boolean {
    return this.runner.record.status === 'warming-up' && this.runner.core.logic.isReady();
  }
}
