import { ConsumerGroups, MessageType, Streams, isMessage, type NotificationEventV1 } from '@btc-research/contracts';
import { dec, toDecimalString } from '@btc-research/engine';
import { NotificationDispatcher, type BusEntry, type Logger, type MessageBus, type NotificationChannel, type StrategyStore, type Subscription } from '@btc-research/platform';
import { RepeatingTask } from '../repeating-task.js';
import { DAY_MS, DrawdownWatch, FeedWatch, dailySummaryEvent, fillEvent, statusEvent, utcDay } from './notification-events.js';
import { NotificationRouting } from './notification-routing.js';

export interface NotifierOptions {
  bus: MessageBus;
  store: StrategyStore;
  logger: Logger;
  /** channels configured by environment; none: the notifier does not start */
  channels: readonly NotificationChannel[];
  /** this worker's name (consumer name, claim owner) */
  worker: string;
  now?: () => number;
  /** dispatcher tuning (tests) */
  dispatch?: { pollMs?: number; claimLeaseMs?: number; retry?: { baseMs: number; maxMs: number }; maxAttempts?: number };
  /** how often to check whether a UTC day has ended (default 60 s) */
  dailyCheckMs?: number;
}

/** equity points read to find a strategy's peak after a restart */
const PEAK_SCAN_LIMIT = 100_000;
const TRADE_PAGE = 1_000;

/**
 * Alerts and notifications, apart from trading. It reads the strategy-events and feed-status
 * streams with a consumer group of its own (so trading never waits for it, and a worker that dies
 * leaves its unacknowledged entries to another), turns them into notification events, routes each
 * to its channels and appends the rows to the store's outbox; a dispatcher sends them. After 00:00
 * UTC it adds a daily summary per strategy. Anyone may raise an event by publishing
 * `notification.raised` on the strategy-events stream (the parity monitor does).
 */
export class Notifier {
  private readonly now: () => number;
  private readonly routing: NotificationRouting;
  private readonly dispatcher: NotificationDispatcher;
  private readonly feed = new FeedWatch();
  private readonly drawdown = new DrawdownWatch();
  private subscription: Subscription | null = null;
  private readonly daily: RepeatingTask;
  private summarisedDay: string | null = null;

  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
    this.routing = new NotificationRouting(options.store, options.channels.map((c) => c.name), options.logger);
    this.dispatcher = new NotificationDispatcher({ outbox: options.store.outbox, channels: options.channels, owner: options.worker, logger: options.logger, now: this.now, ...options.dispatch });
    this.daily = new RepeatingTask({ intervalMs: options.dailyCheckMs ?? 60_000, run: () => this.summariseEndedDay(), onError: (err) => options.logger.warn({ err }, 'daily summary failed') });
  }

  /**
   * In-process (embedded) the bus lives as long as the process: read it from its start. With Redis
   * the group is created once, at the end of the stream, so a first start does not notify history.
   */
  start(): void {
    const { bus, worker, logger, channels } = this.options;
    this.subscription = bus.consume({ streams: [Streams.strategyEvents(), Streams.feedStatus()], group: ConsumerGroups.notifier, consumer: worker, startAt: bus.kind === 'in-process' ? '0' : '$' }, (entries) => this.handle(entries));
    this.dispatcher.start();
    this.daily.start();
    void this.summariseEndedDay().catch((err: unknown) => logger.warn({ err }, 'daily summary failed'));
    logger.info({ channels: channels.map((c) => c.describe()) }, 'notifications on');
  }

  async close(): Promise<void> {
    this.daily.stop();
    await this.subscription?.stop();
    await this.dispatcher.stop();
  }

  /** Maps a batch of bus entries to notification events and appends them to the outbox (acknowledged after). */
  async handle(entries: readonly BusEntry[]): Promise<void> {
    const events: NotificationEventV1[] = [];
    for (const entry of entries) events.push(...(await this.toEvents(entry)));
    await this.enqueue(events);
  }

  /** Once a UTC day has ended, a summary of it per strategy that was live during it (idempotent per strategy and day). */
  async summariseEndedDay(): Promise<void> {
    const now = this.now();
    const dayStart = Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
    const day = utcDay(dayStart);
    if (this.summarisedDay === day) return;
    const events: NotificationEventV1[] = [];
    for (const record of await this.options.store.listStrategies()) {
      const wasLive = record.createdAt < dayStart + DAY_MS && (record.updatedAt >= dayStart || record.status === 'running' || record.status === 'warming-up' || record.status === 'starting');
      if (!wasLive) continue;
      events.push(await this.summaryOf(record.id, dayStart));
    }
    await this.enqueue(events);
    this.summarisedDay = day;
  }

  private async summaryOf(strategyId: string, dayStart: number) {
    const { store } = this.options;
    let fills = 0;
    let realized = dec(0);
    let cursor: string | undefined;
    do {
      const page = await store.listTrades(strategyId, { limit: TRADE_PAGE, from: dayStart, to: dayStart + DAY_MS, ...(cursor === undefined ? {} : { cursor }) });
      fills += page.items.length;
      for (const t of page.items) realized = realized.plus(t.realizedPnl);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const points = (await store.listEquity(strategyId, dayStart, 2 * 1_440 + 10)).filter((p) => p.time < dayStart + DAY_MS);
    return dailySummaryEvent({
      strategyId,
      dayStart,
      fills,
      equityAtStart: points[0]?.equity ?? null,
      equityAtEnd: points[points.length - 1]?.equity ?? null,
      realizedPnl: fills === 0 ? null : toDecimalString(realized),
    });
  }

  private async toEvents(entry: BusEntry): Promise<NotificationEventV1[]> {
    const envelope = entry.envelope;
    if (isMessage(envelope, MessageType.strategyFill)) return [fillEvent(envelope.payload)];
    if (isMessage(envelope, MessageType.strategyStatus)) {
      const event = statusEvent(envelope.payload);
      return event ? [event] : [];
    }
    if (isMessage(envelope, MessageType.feedStatus)) return this.feed.next(envelope.payload, envelope.tsEvent);
    if (isMessage(envelope, MessageType.notificationRaised)) return [envelope.payload];
    if (isMessage(envelope, MessageType.strategyEquity)) {
      const point = envelope.payload;
      if (!this.drawdown.has(point.strategyId)) this.drawdown.seed(point.strategyId, await this.peakOf(point.strategyId, point.time));
      const event = this.drawdown.next(point, await this.routing.drawdownThreshold(point.strategyId));
      return event ? [event] : [];
    }
    return [];
  }

  /** the highest stored equity before `before` (a restart resumes the same peak, so its alert keeps its id) */
  private async peakOf(strategyId: string, before: number): Promise<{ equity: string; time: number } | null> {
    let peak: { equity: string; time: number } | null = null;
    for (const p of await this.options.store.listEquity(strategyId, 0, PEAK_SCAN_LIMIT)) {
      if (p.time >= before) break;
      if (peak === null || dec(p.equity).gt(peak.equity)) peak = { equity: p.equity, time: p.time };
    }
    return peak;
  }

  private async enqueue(events: readonly NotificationEventV1[]): Promise<void> {
    if (events.length === 0) return;
    const items = [];
    for (const event of events) {
      const channels = await this.routing.channelsFor(event);
      if (channels.length > 0) items.push({ event, channels });
    }
    const added = await this.options.store.outbox.enqueue(items, this.now());
    if (added > 0) this.dispatcher.wake();
  }
}
