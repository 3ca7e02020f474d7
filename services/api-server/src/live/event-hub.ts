import type { FastifyBaseLogger } from 'fastify';
import { MessageType, Streams, isMessage, type Envelope, type LiveEventKind, type MarketFeedStatusV1 } from '@btc-research/contracts';
import { backoffDelay, type BusEntry, type MessageBus } from '@btc-research/platform';

export interface LiveEvent {
  kind: LiveEventKind;
  /** "<stream>|<entry id>": resumable position, used as the SSE event id */
  cursor: string;
  strategyId: string | null;
  envelope: Envelope;
}

export type LiveListener = (event: LiveEvent) => void;

export interface FeedSnapshot {
  status: MarketFeedStatusV1;
  tsEvent: number;
}

const KIND_BY_TYPE: Readonly<Record<string, LiveEventKind>> = {
  [MessageType.strategyFill]: 'fill',
  [MessageType.strategyEquity]: 'equity',
  [MessageType.strategyStatus]: 'status',
  [MessageType.feedStatus]: 'feed',
  [MessageType.strategyParityChecked]: 'parity',
};

export function toLiveEvent(entry: BusEntry): LiveEvent | null {
  const kind = KIND_BY_TYPE[entry.envelope.type];
  if (!kind) return null;
  const payload = entry.envelope.payload as { strategyId?: unknown };
  return {
    kind,
    cursor: `${entry.stream}|${entry.id}`,
    strategyId: typeof payload.strategyId === 'string' ? payload.strategyId : null,
    envelope: entry.envelope,
  };
}

/**
 * One reader per api-server of the strategy-event and feed-status streams (bus.tail, no consumer
 * group: every instance sees every event), fanned out to SSE/WebSocket clients, command waiters and
 * cache invalidation.
 */
export class LiveEventHub {
  private readonly listeners = new Set<LiveListener>();
  private readonly loops: Promise<void>[] = [];
  private isRunning = false;
  private feed: FeedSnapshot | null = null;
  private readonly wakers = new Set<() => void>();
  private readonly positioned = new Set<string>();
  private readyWaiters: (() => void)[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly log: FastifyBaseLogger,
    private readonly blockMs = 500,
  ) {}

  get latestFeed(): FeedSnapshot | null {
    return this.feed;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the readers; never throws (an unreachable bus is retried in the background). */
  async start(): Promise<void> {
    if (this.isRunning) return;
    this.isRunning = true;
    this.loops.push(this.run(Streams.feedStatus()), this.run(Streams.strategyEvents()));
  }

  /**
   * Resolves once both readers know where the streams end (so an event published after this is seen),
   * or after timeoutMs; true when positioned.
   */
  async whenPositioned(timeoutMs: number): Promise<boolean> {
    if (this.positioned.size >= 2) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(this.positioned.size >= 2), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async stop(): Promise<void> {
    this.isRunning = false;
    for (const wake of this.wakers) wake();
    // a read blocked on an unreachable bus is abandoned after this; closing the bus ends it
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.loops), new Promise((resolve) => (timer = setTimeout(resolve, this.blockMs + 1_000)))]);
    clearTimeout(timer);
    this.loops.length = 0;
    this.listeners.clear();
  }

  /** Refreshes the cached feed status from the bus (used when no status has been seen yet). */
  async refreshFeed(): Promise<FeedSnapshot | null> {
    const [last] = await this.bus.readLatest(Streams.feedStatus(), 1);
    if (last) this.remember(last.envelope);
    return this.feed;
  }

  private remember(envelope: Envelope): void {
    if (isMessage(envelope, MessageType.feedStatus) && (!this.feed || envelope.tsEvent >= this.feed.tsEvent)) {
      this.feed = { status: envelope.payload, tsEvent: envelope.tsEvent };
    }
  }

  private async backoff(failures: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, backoffDelay(failures, { baseMs: 200, maxMs: 5_000 }));
      this.wakers.add(wake);
    });
  }

  private async run(stream: string): Promise<void> {
    let afterId: string | null = null;
    let failures = 0;
    while (this.isRunning) {
      let entries: BusEntry[];
      try {
        if (afterId === null) {
          // start after the newest entry; the feed stream's newest entry is remembered as the current status
          const [last] = await this.bus.readLatest(stream, 1);
          if (last) this.remember(last.envelope);
          afterId = last?.id ?? '0';
          this.positioned.add(stream);
          if (this.positioned.size >= 2) for (const w of this.readyWaiters.splice(0)) w();
        }
        entries = await this.bus.tail(stream, afterId, this.blockMs, 200);
        failures = 0;
      } catch (error) {
        if (!this.isRunning) return;
        failures += 1;
        this.log.warn({ err: error, stream, failures }, 'live event tail failed; retrying');
        await this.backoff(failures);
        continue;
      }
      for (const entry of entries) {
        afterId = entry.id;
        this.remember(entry.envelope);
        const event = toLiveEvent(entry);
        if (!event) continue;
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (error) {
            this.log.error({ err: error, stream }, 'live event listener failed');
          }
        }
      }
    }
  }
}
