import { randomUUID } from 'node:crypto';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import type { Logger, MessageBus, ParityCheckRecord, StrategyStore } from '@btc-research/platform';
import { ParityCheckUnavailableError, runParityCheck, type ParityCheckOptions, type VerifiedCheckpoint } from './parity-check.js';
import { RepeatingTask } from './repeating-task.js';
import { SerialQueue } from './serial-queue.js';

export interface ParityMonitorOptions extends Omit<ParityCheckOptions, 'store'> {
  store: StrategyStore;
  bus: MessageBus;
  logger: Logger;
  /** a scheduled check of every strategy this worker runs, this long after the previous round ends; 0: none */
  intervalMs: number;
  /** the strategies this worker runs now */
  ownedIds: () => readonly string[];
}

/**
 * The parity monitor: every `intervalMs` each strategy this worker runs, and any strategy on
 * request (the `strategy.parity.check` command, which any worker may handle), is checked against
 * the replay of its recorded market log (runParityCheck). Checks run one at a time in their own
 * queue, never in the trading path: they read the store and yield to the event loop as they go.
 * Every check is stored, then published as `strategy.parity.checked`; a failed one is logged at
 * error level and raised as a `parity.check.failed` notification.
 */
export class ParityMonitor {
  private readonly queue = new SerialQueue();
  private readonly timer: RepeatingTask | null;
  private closed = false;
  /** per strategy, where its last passing check ended (kept in memory: after a restart the first check replays from the log start) */
  private readonly checkpoints = new Map<string, VerifiedCheckpoint>();

  constructor(private readonly options: ParityMonitorOptions) {
    this.timer =
      options.intervalMs > 0
        ? new RepeatingTask({ intervalMs: options.intervalMs, run: () => this.checkOwned(), onError: (err) => options.logger.error({ err }, 'parity round failed') })
        : null;
  }

  start(): void {
    this.timer?.start();
  }

  /** No check starts after this; one under way finishes. */
  async stop(): Promise<void> {
    this.closed = true;
    this.timer?.stop();
    await this.queue.idle();
  }

  /** Queues an on-demand check; resolves with its record once stored (null when it could not run). Never rejects. */
  request(strategyId: string, checkId: string): Promise<ParityCheckRecord | null> {
    return this.queue.run(() => this.check(strategyId, checkId, 'on-demand'));
  }

  /** One scheduled round: every strategy this worker runs, one after another. */
  private async checkOwned(): Promise<void> {
    const owned = this.options.ownedIds();
    for (const id of this.checkpoints.keys()) if (!owned.includes(id)) this.checkpoints.delete(id);
    for (const id of owned) {
      if (this.closed) return;
      await this.queue.run(() => this.check(id, `scheduled-${this.options.now()}-${randomUUID().slice(0, 8)}`, 'scheduled'));
    }
  }

  /** One check, stored and announced; every failure is logged here (null), so a caller never sees a rejection. */
  private async check(strategyId: string, checkId: string, trigger: ParityCheckRecord['trigger']): Promise<ParityCheckRecord | null> {
    try {
      return await this.checkOnce(strategyId, checkId, trigger);
    } catch (err) {
      this.options.logger.error({ err, strategyId, checkId }, 'parity check failed to run');
      return null;
    }
  }

  private async checkOnce(strategyId: string, checkId: string, trigger: ParityCheckRecord['trigger']): Promise<ParityCheckRecord | null> {
    const { store, logger } = this.options;
    if (this.closed) return null;
    const existing = await store.getParityCheck(strategyId, checkId);
    if (existing) return existing; // a redelivered request
    const record = await store.getStrategy(strategyId);
    if (!record) {
      logger.warn({ strategyId, checkId }, 'parity check requested for an unknown strategy');
      return null;
    }
    let check: ParityCheckRecord;
    try {
      const outcome = await runParityCheck(record, checkId, trigger, { ...this.options, isStopped: () => this.closed }, this.checkpoints.get(strategyId) ?? null);
      check = outcome.check;
      if (outcome.checkpoint) this.checkpoints.set(strategyId, outcome.checkpoint);
      else this.checkpoints.delete(strategyId);
    } catch (err) {
      if (err instanceof ParityCheckUnavailableError) {
        logger.warn({ strategyId, checkId, reason: err.message }, 'parity check could not run');
        return null;
      }
      logger.error({ err, strategyId, checkId }, 'parity check failed to run');
      return null;
    }
    await store.saveParityCheck(check);
    if (check.verdict === 'fail') logger.error({ strategyId, checkId, window: check.window, firstDivergence: check.firstDivergence }, 'parity check failed: the replay of the recorded inputs differs from paper trading');
    else logger.info({ strategyId, checkId, window: check.window, events: check.compared.events, durationMs: check.durationMs }, 'parity check passed');
    await this.announce(check).catch((err: unknown) => logger.warn({ err, strategyId, checkId }, 'parity check stored but not announced'));
    return check;
  }

  private async announce(check: ParityCheckRecord): Promise<void> {
    const { bus, worker } = this.options;
    const stream = Streams.strategyEvents();
    const t = check.checkedAt;
    await bus.publish(stream, makeEnvelope({ type: MessageType.strategyParityChecked, id: `parity-${check.strategyId}-${check.checkId}`, source: worker, tsEvent: t, tsInit: t, payload: check }), StreamRetention.strategyEvents);
    if (check.verdict !== 'fail') return;
    const d = check.firstDivergence;
    const text = d
      ? `Parity check failed for ${check.strategyId}: ${d.kind} ${d.field} differs at ${new Date(d.at).toISOString()} (paper ${String(d.paper)}, replay ${String(d.replay)})`
      : `Parity check failed for ${check.strategyId}`;
    await bus.publish(
      stream,
      makeEnvelope({
        type: MessageType.notificationRaised,
        id: `notify-parity-${check.strategyId}-${check.checkId}`,
        source: worker,
        tsEvent: t,
        tsInit: t,
        payload: {
          id: `parity:${check.strategyId}:${check.checkId}`,
          type: 'parity.check.failed',
          strategyId: check.strategyId,
          time: t,
          text: text.slice(0, 2_000),
          data: {
            checkedAt: t,
            window: { from: check.window.from ?? t, to: check.window.to ?? t },
            ...(d ? { firstDivergence: { field: d.field, at: new Date(d.at).toISOString(), paper: String(d.paper), replay: String(d.replay), kind: d.kind, ...(d.eventType ? { eventType: d.eventType } : {}) } } : {}),
          },
        },
      }),
      StreamRetention.strategyEvents,
    );
  }
}
