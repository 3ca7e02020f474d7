import type { NotificationChannelName } from '@btc-research/contracts';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { NotificationOutbox, OutboxDelivery } from '../storage/notification-outbox.js';
import { SEND_TIMEOUT_MS, type NotificationChannel, type SendResult } from './channel.js';

export interface NotificationDispatcherOptions {
  outbox: NotificationOutbox;
  channels: readonly NotificationChannel[];
  /** this sender's name: its claims carry it */
  owner: string;
  logger: Logger;
  now?: () => number;
  /** pause between rounds when nothing was due (default 500 ms) */
  pollMs?: number;
  /** a claim lapses after this long if the sender dies mid-delivery (default 60 s; longer than a send's timeout) */
  claimLeaseMs?: number;
  /** retry delays: backoffDelay from baseMs doubling to maxMs (default 1 s … 5 min) */
  retry?: { baseMs: number; maxMs: number; random?: () => number };
  /** give up after this many attempts (default 12: about half an hour of retries) */
  maxAttempts?: number;
  /**
   * rows claimed per channel and round (default: as many as can time out one after another within
   * the claim's lease, so a slow channel never lets a claim lapse while its rows wait: 5 with the defaults)
   */
  batchSize?: number;
}

const MINUTE_MS = 60_000;

/**
 * The sender: a loop apart from trading that claims due outbox rows per channel, sends them and
 * settles each (delivered, retry with backoff, or failed after maxAttempts or a permanent refusal).
 * Each channel keeps its own rate limit (a sliding minute of sends) and honours a service's
 * Retry-After by pausing that channel; channels do not wait for one another.
 */
export class NotificationDispatcher {
  private readonly now: () => number;
  private readonly sent = new Map<NotificationChannelName, number[]>();
  private readonly pausedUntil = new Map<NotificationChannelName, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private wakeRequested = false;

  constructor(private readonly options: NotificationDispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  get channels(): readonly NotificationChannel[] {
    return this.options.channels;
  }

  start(): void {
    if (this.options.channels.length === 0) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Run a round soon (new rows were enqueued). */
  wake(): void {
    if (this.stopped || this.options.channels.length === 0) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops the loop; a send under way finishes and is settled. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round over every channel; returns how many rows were sent (delivered or not). */
  async runOnce(): Promise<number> {
    const counts = await Promise.all(this.options.channels.map((channel) => this.runChannel(channel)));
    return counts.reduce((a, b) => a + b, 0);
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce()
        .catch((err: unknown) => {
          this.options.logger.warn({ err }, 'notification round failed');
          return 0;
        })
        .then((count) => {
          this.running = null;
          if (this.stopped) return;
          const again = this.wakeRequested || count > 0;
          this.wakeRequested = false;
          this.schedule(again ? 0 : (this.options.pollMs ?? 500));
        });
    }, delayMs);
  }

  private async runChannel(channel: NotificationChannel): Promise<number> {
    const allowance = this.allowance(channel);
    if (allowance <= 0) return 0;
    const rows = await this.options.outbox.claim({
      channel: channel.name,
      owner: this.options.owner,
      now: this.now(),
      limit: Math.min(allowance, this.batchSize()),
      leaseMs: this.leaseMs(),
    });
    for (const row of rows) {
      const paused = this.pausedUntil.get(channel.name) ?? 0;
      if (paused > this.now()) {
        // the service asked us to wait (Retry-After): the rest of the batch waits too
        await this.options.outbox.settle(row.eventId, channel.name, this.options.owner, { status: 'retry', error: 'channel paused by Retry-After', retryAt: paused });
        continue;
      }
      await this.deliver(channel, row);
    }
    return rows.length;
  }

  private leaseMs(): number {
    return this.options.claimLeaseMs ?? MINUTE_MS;
  }

  private batchSize(): number {
    return this.options.batchSize ?? Math.max(1, Math.floor(this.leaseMs() / SEND_TIMEOUT_MS) - 1);
  }

  /** Sends left in this channel's sliding minute (0 while it is paused by a Retry-After). */
  private allowance(channel: NotificationChannel): number {
    const now = this.now();
    if ((this.pausedUntil.get(channel.name) ?? 0) > now) return 0;
    const recent = (this.sent.get(channel.name) ?? []).filter((t) => t > now - MINUTE_MS);
    this.sent.set(channel.name, recent);
    return channel.ratePerMinute - recent.length;
  }

  private async deliver(channel: NotificationChannel, row: OutboxDelivery): Promise<void> {
    const { outbox, owner, logger } = this.options;
    this.sent.get(channel.name)?.push(this.now());
    const result: SendResult = await channel.send(row.event).catch((err: unknown): SendResult => ({ ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) }));
    const log = { channel: channel.name, eventId: row.eventId, type: row.event.type, strategyId: row.event.strategyId, attempt: row.attempts };
    if (result.ok) {
      await outbox.settle(row.eventId, channel.name, owner, { status: 'delivered', at: this.now() });
      logger.info(log, 'notification delivered');
      return;
    }
    const maxAttempts = this.options.maxAttempts ?? 12;
    if (!result.retryable || row.attempts >= maxAttempts) {
      await outbox.settle(row.eventId, channel.name, owner, { status: 'failed', error: result.error });
      logger.error({ ...log, error: result.error }, result.retryable ? 'notification failed: retries exhausted' : 'notification refused by the channel');
      return;
    }
    const retry = this.options.retry ?? { baseMs: 1_000, maxMs: 5 * MINUTE_MS };
    const delay = Math.max(backoffDelay(row.attempts, retry), result.retryAfterMs ?? 0);
    if (result.retryAfterMs !== undefined) this.pausedUntil.set(channel.name, this.now() + result.retryAfterMs);
    await outbox.settle(row.eventId, channel.name, owner, { status: 'retry', error: result.error, retryAt: this.now() + delay });
    logger.warn({ ...log, error: result.error, retryInMs: delay }, 'notification not delivered; will retry');
  }
}
