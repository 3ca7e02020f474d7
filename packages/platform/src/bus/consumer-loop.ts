import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import { BUS_DEFAULTS, type BusTuning } from './bus-tuning.js';
import type { BatchHandler, BusEntry, ConsumeOptions, Subscription } from './message-bus.js';
import { decodeRawEntry, type RawStreamEntry } from './raw-entry.js';

/** One entry delivered to a consumer of a group. `fields` is null when the entry was trimmed away. */
export interface RawDelivery {
  stream: string;
  id: string;
  fields: Record<string, string> | null;
  deliveryCount: number;
}

/**
 * The group operations a consumer needs, implemented by each bus (Redis commands or in memory).
 * One instance serves one subscription (one consumer of one group over some streams).
 */
export interface GroupBackend {
  /** creates the group on each stream if missing (XGROUP CREATE ... MKSTREAM) */
  ensureGroups(): Promise<void>;
  /** this consumer's own pending entries, oldest first (XREADGROUP ... 0) */
  readOwnPending(count: number): Promise<RawDelivery[]>;
  /** claims entries idle longer than minIdleMs from any consumer (XAUTOCLAIM); `next` '0-0' = done */
  claimIdle(stream: string, minIdleMs: number, cursor: string, count: number): Promise<{ next: string; entries: RawDelivery[] }>;
  /** new entries, blocking up to blockMs (XREADGROUP ... BLOCK ... >); [] after interrupt() */
  readNew(count: number, blockMs: number): Promise<RawDelivery[]>;
  ack(stream: string, ids: readonly string[]): Promise<void>;
  /** copies the raw entry to dlq:<stream> with the reason */
  deadLetter(stream: string, entry: RawStreamEntry, reason: { code: string; message: string }): Promise<void>;
  /** wakes a blocked readNew and makes later ones return [] at once */
  interrupt(): void;
  close(): Promise<void>;
}

export interface ConsumerLoopOptions {
  streams: readonly string[];
  group: string;
  consumer: string;
  batchSize: number;
  claimIdleMs: number;
  /** longest single blocking read; claims are checked at least this often */
  blockMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  logger: Logger;
  now: () => number;
}

/** An interruptible timer. */
class Sleeper {
  private wake: (() => void) | null = null;
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
  interrupt(): void {
    this.wake?.();
  }
}

/**
 * The consumer algorithm shared by both buses: own pending entries first, then idle entries of
 * other (dead) consumers, then new entries. Undecodable entries go to the dead-letter stream and
 * are acked; the rest go to the handler and are acked after it resolves. A throwing handler leaves
 * its batch pending; the batch is retried with exponential backoff and jitter.
 */
export class ConsumerLoop implements Subscription {
  private stopping = false;
  private readonly sleeper = new Sleeper();
  private readonly done: Promise<void>;
  private handlerFailures = 0;
  private readFailures = 0;
  private readonly log: Logger;

  constructor(
    private readonly backend: GroupBackend,
    private readonly options: ConsumerLoopOptions,
    private readonly handler: BatchHandler,
  ) {
    this.log = options.logger.child({ group: options.group, consumer: options.consumer });
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.backend.interrupt();
    this.sleeper.interrupt();
    await this.done;
  }

  private get claimCheckMs(): number {
    return Math.max(10, Math.min(this.options.claimIdleMs / 2, 10_000));
  }

  private async run(): Promise<void> {
    const { batchSize, streams, claimIdleMs } = this.options;
    let isOwnPendingDrained = false;
    let lastClaimAt = Number.NEGATIVE_INFINITY;
    let areGroupsReady = false;
    try {
      while (!this.stopping) {
        try {
          if (!areGroupsReady) {
            await this.backend.ensureGroups();
            areGroupsReady = true;
          }
          if (!isOwnPendingDrained) {
            const pending = await this.backend.readOwnPending(batchSize);
            if (pending.length === 0) {
              isOwnPendingDrained = true;
            } else {
              if (!(await this.process(pending))) isOwnPendingDrained = false;
              continue;
            }
          }
          if (this.options.now() - lastClaimAt >= this.claimCheckMs) {
            lastClaimAt = this.options.now();
            let hasFailed = false;
            for (const stream of streams) {
              let cursor = '0-0';
              do {
                if (this.stopping) break;
                const { next, entries } = await this.backend.claimIdle(stream, claimIdleMs, cursor, batchSize);
                cursor = next;
                if (entries.length > 0) {
                  this.log.warn({ stream, count: entries.length, firstId: entries[0]?.id }, 'claimed idle entries of another consumer');
                  if (!(await this.process(entries))) {
                    hasFailed = true;
                    break;
                  }
                }
              } while (cursor !== '0-0');
              if (hasFailed) break;
            }
            if (hasFailed) {
              isOwnPendingDrained = false;
              continue;
            }
          }
          if (this.stopping) break;
          const blockMs = Math.max(1, Math.min(this.options.blockMs, this.claimCheckMs));
          const fresh = await this.backend.readNew(batchSize, blockMs);
          this.readFailures = 0;
          if (fresh.length > 0 && !(await this.process(fresh))) isOwnPendingDrained = false;
        } catch (err) {
          if (this.stopping) break;
          if (isNoGroupError(err)) areGroupsReady = false;
          isOwnPendingDrained = false;
          this.readFailures += 1;
          const delayMs = this.backoffMs(this.readFailures);
          this.log.error({ err, delayMs }, 'bus read failed; retrying');
          await this.sleeper.sleep(delayMs);
        }
      }
    } finally {
      await this.backend.close().catch((err: unknown) => this.log.warn({ err }, 'closing consumer connection failed'));
    }
  }

  /** the first retry waits retryInitialMs to twice that (jitter); the range doubles per failure up to retryMaxMs */
  private backoffMs(failures: number): number {
    return backoffDelay(failures, { baseMs: 2 * this.options.retryInitialMs, maxMs: this.options.retryMaxMs });
  }

  /** Handles one batch. Returns false when the handler failed (the batch stays pending). */
  private async process(deliveries: readonly RawDelivery[]): Promise<boolean> {
    const good: BusEntry[] = [];
    const toAck = new Map<string, string[]>();
    const addAck = (stream: string, id: string) => {
      const list = toAck.get(stream);
      if (list) list.push(id);
      else toAck.set(stream, [id]);
    };
    const immediateAck = new Map<string, string[]>();
    for (const d of deliveries) {
      if (d.fields === null) {
        // trimmed away (MAXLEN) while pending: nothing left to deliver
        const list = immediateAck.get(d.stream) ?? [];
        list.push(d.id);
        immediateAck.set(d.stream, list);
        continue;
      }
      const decoded = decodeRawEntry(d.fields);
      if (!decoded.ok) {
        this.log.warn(
          { stream: d.stream, streamId: d.id, code: decoded.code, error: decoded.message, path: decoded.path },
          'undecodable entry moved to dead-letter stream',
        );
        await this.backend.deadLetter(d.stream, { id: d.id, fields: d.fields }, { code: decoded.code, message: decoded.message });
        const list = immediateAck.get(d.stream) ?? [];
        list.push(d.id);
        immediateAck.set(d.stream, list);
        continue;
      }
      good.push({ stream: d.stream, id: d.id, envelope: decoded.envelope, deliveryCount: d.deliveryCount });
      addAck(d.stream, d.id);
    }
    for (const [stream, ids] of immediateAck) await this.backend.ack(stream, ids);
    if (good.length === 0) return true;
    try {
      await this.handler(good);
    } catch (err) {
      this.handlerFailures += 1;
      const delayMs = this.backoffMs(this.handlerFailures);
      this.log.error(
        { err, attempt: this.handlerFailures, count: good.length, firstId: good[0]?.id, stream: good[0]?.stream, deliveryCount: good[0]?.deliveryCount, delayMs },
        'handler failed; batch left pending for retry',
      );
      if (!this.stopping) await this.sleeper.sleep(delayMs);
      return false;
    }
    this.handlerFailures = 0;
    for (const [stream, ids] of toAck) await this.backend.ack(stream, ids);
    return true;
  }
}

function isNoGroupError(err: unknown): boolean {
  return err instanceof Error && /NOGROUP/.test(err.message);
}

/** Starts a consumer loop for one subscription of a bus; it stays in `active` until stopped. */
export function subscribe(
  backend: GroupBackend,
  options: ConsumeOptions,
  tuning: BusTuning,
  context: { logger: Logger; now: () => number; active: Set<ConsumerLoop> },
  handler: BatchHandler,
): Subscription {
  const loop = new ConsumerLoop(
    backend,
    {
      streams: options.streams,
      group: options.group,
      consumer: options.consumer,
      batchSize: options.batchSize ?? BUS_DEFAULTS.batchSize,
      claimIdleMs: options.claimIdleMs ?? BUS_DEFAULTS.claimIdleMs,
      blockMs: tuning.blockMs ?? BUS_DEFAULTS.blockMs,
      retryInitialMs: tuning.retryInitialMs ?? BUS_DEFAULTS.retryInitialMs,
      retryMaxMs: tuning.retryMaxMs ?? BUS_DEFAULTS.retryMaxMs,
      logger: context.logger,
      now: context.now,
    },
    handler,
  );
  context.active.add(loop);
  return {
    stop: async () => {
      await loop.stop();
      context.active.delete(loop);
    },
  };
}
