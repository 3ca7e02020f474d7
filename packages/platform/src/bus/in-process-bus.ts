import { StreamRetention, Streams, encodeEnvelope, readBackOf, type Envelope } from '@btc-research/contracts';
import type { Logger } from '../logger.js';
import type { BusTuning } from './bus-tuning.js';
import { subscribe, type ConsumerLoop, type GroupBackend, type RawDelivery } from './consumer-loop.js';
import type { EnvelopeWriter } from './envelope-writer.js';
import type { BatchHandler, BusEntry, ConsumeOptions, MessageBus, Subscription } from './message-bus.js';
import { deadLetterFields, decodeEntries, envelopeFields, fieldsForPublish, type RawStreamAccess, type RawStreamEntry } from './raw-entry.js';
import { compareStreamIds, formatStreamId, nextStreamId, type StreamId } from './stream-id.js';

export interface InProcessBusOptions extends BusTuning {
  logger: Logger;
  /** wall clock for stream ids and idle times; default Date.now */
  now?: () => number;
  /**
   * How many entries of a stream that every consumer group has read and acknowledged are kept (an
   * entry a group has not is kept whatever this says); undefined: up to the append's maxLen, as
   * Redis. Default: the contracts' readBackOf, so an embedded process does not hold 100,000 trades
   * nobody will read again.
   */
  readBack?: (stream: string) => number | undefined;
}


interface MemoryEntry {
  id: string;
  fields: Record<string, string>;
}

/** a writer held back this long by an unread entry says so (once per wait) */
const WRITER_WAIT_WARN_MS = 10_000;
/** a held-back writer looks again at least this often (groups created or removed meanwhile) */
const WRITER_RECHECK_MS = 1_000;

/** what the slot of a trimmed entry holds until the array is compacted (never read) */
const TRIMMED: MemoryEntry = Object.freeze({ id: '0-0', fields: Object.freeze({}) });

interface PendingInfo {
  consumer: string;
  deliveredAt: number;
  deliveryCount: number;
}

interface MemoryGroup {
  lastDeliveredId: string;
  pending: Map<string, PendingInfo>;
  /** subscriptions reading this stream for the group now (back-pressure waits only for these) */
  readers: Set<object>;
}

/** Notifies waiters (consumers blocked on new entries, tails) when entries arrive. */
class Notifier {
  private waiters = new Set<() => void>();
  /** resolves on the next notify() or after timeoutMs, whichever comes first; `cancel` resolves now */
  wait(timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
    let cancel!: () => void;
    const promise = new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, timeoutMs);
      this.waiters.add(wake);
      cancel = wake;
    });
    return { promise, cancel };
  }
  notify(): void {
    const list = [...this.waiters];
    this.waiters.clear();
    for (const wake of list) wake();
  }
}

class MemoryStream {
  private entries: MemoryEntry[] = [];
  private start = 0;
  private last: StreamId | null = null;
  readonly groups = new Map<string, MemoryGroup>();
  readonly notifier = new Notifier();
  /** wakes writers held back by an unread entry (a group read or acknowledged something) */
  readonly progress = new Notifier();

  get length(): number {
    return this.entries.length - this.start;
  }

  get lastId(): string {
    return this.last === null ? '0-0' : formatStreamId(this.last);
  }

  /**
   * Appends and trims to maxLen. `keepUnread`: an entry a consumer group has not read yet (or has
   * not acknowledged) is never trimmed; the stream grows past maxLen instead (see excessUnread).
   */
  append(fields: Record<string, string>, nowMs: number, maxLen: number, keepUnread = false, readBack?: number): string {
    this.last = nextStreamId(this.last, nowMs);
    const id = formatStreamId(this.last);
    this.entries.push({ id, fields: { ...fields } });
    this.trim(maxLen, keepUnread);
    if (readBack !== undefined && readBack < maxLen) this.trimRead(readBack);
    return id;
  }

  trim(maxLen: number, keepUnread: boolean): void {
    const excess = this.length - Math.max(0, maxLen);
    // a trimmed entry is let go at once (its slot emptied); the array is compacted now and then
    for (let i = 0; i < excess; i++) {
      if (keepUnread && this.isUnread(this.entries[this.start]!.id)) break;
      this.entries[this.start++] = TRIMMED;
    }
    this.compact();
  }

  /**
   * Trims to `keep` entries, oldest first, only as far as every consumer group has read and
   * acknowledged (also a group nobody reads right now: its reader may be resubscribing).
   */
  trimRead(keep: number): void {
    const excess = this.length - Math.max(0, keep);
    for (let i = 0; i < excess; i++) {
      if (!this.isReadByAll(this.entries[this.start]!.id)) break;
      this.entries[this.start++] = TRIMMED;
    }
    this.compact();
  }

  private compact(): void {
    if (this.start > 1024 && this.start > this.entries.length / 2) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  private isReadByAll(id: string): boolean {
    for (const g of this.groups.values()) {
      if (compareStreamIds(id, g.lastDeliveredId) > 0 || g.pending.has(id)) return false;
    }
    return true;
  }

  /**
   * A group being read now has not read this entry, or read it and not acknowledged it yet. (A group
   * nobody reads any more in this process — its symbol was dropped — does not hold the feed back.)
   */
  private isUnread(id: string): boolean {
    for (const g of this.groups.values()) {
      if (g.readers.size > 0 && (compareStreamIds(id, g.lastDeliveredId) > 0 || g.pending.has(id))) return true;
    }
    return false;
  }

  /** how far past maxLen the stream is because of unread entries (0 when within) */
  excessUnread(maxLen: number): number {
    return Math.max(0, this.length - Math.max(0, maxLen));
  }

  /** the groups that have not read the oldest entry kept (for the log when a writer waits) */
  laggingGroups(): string[] {
    const oldest = this.entries[this.start];
    if (!oldest) return [];
    return [...this.groups].filter(([, g]) => g.readers.size > 0 && (compareStreamIds(oldest.id, g.lastDeliveredId) > 0 || g.pending.has(oldest.id))).map(([name]) => name);
  }

  /** index of the first entry with id > afterId */
  private indexAfter(afterId: string): number {
    let lo = this.start;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareStreamIds(this.entries[mid]!.id, afterId) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  after(afterId: string, count: number): MemoryEntry[] {
    const from = this.indexAfter(afterId);
    return this.entries.slice(from, from + Math.max(0, count));
  }

  latest(count: number): MemoryEntry[] {
    return this.entries.slice(Math.max(this.start, this.entries.length - Math.max(0, count)));
  }

  find(id: string): MemoryEntry | undefined {
    const i = this.indexAfter(id) - 1;
    const entry = i >= this.start ? this.entries[i] : undefined;
    return entry?.id === id ? entry : undefined;
  }
}

/**
 * The embedded-mode bus: Redis Streams semantics in memory (monotonic "<ms>-<seq>" ids, MAXLEN
 * trimming, consumer groups with pending entries lists, claiming from dead consumers, dead
 * letters). Handlers always run asynchronously, never inside publish().
 */
export class InProcessBus implements MessageBus, RawStreamAccess {
  readonly kind = 'in-process' as const;
  private readonly streams = new Map<string, MemoryStream>();
  private readonly subscriptions = new Set<ConsumerLoop>();
  private readonly tailCancels = new Set<() => void>();
  private isClosed = false;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly readBack: (stream: string) => number | undefined;

  constructor(private readonly options: InProcessBusOptions) {
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.readBack = options.readBack ?? readBackOf;
  }

  private stream(name: string): MemoryStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new MemoryStream();
      this.streams.set(name, s);
    }
    return s;
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('message bus is closed');
  }

  async publish(stream: string, envelope: Envelope, maxLen: number): Promise<string> {
    this.assertOpen();
    return this.appendFields(stream, fieldsForPublish(envelope), maxLen);
  }

  openWriter(): EnvelopeWriter {
    let isClosed = false;
    return {
      append: async (stream, envelope, maxLen) => {
        if (isClosed) throw new Error('envelope writer is closed');
        this.assertOpen();
        const id = this.appendFields(stream, envelopeFields(envelope, encodeEnvelope(envelope)), maxLen, true);
        await this.awaitRoom(stream, maxLen);
        return id;
      },
      close: async () => {
        isClosed = true;
      },
    };
  }

  async appendRaw(stream: string, fields: Readonly<Record<string, string>>, maxLen: number): Promise<string> {
    this.assertOpen();
    return this.appendFields(stream, { ...fields }, maxLen);
  }

  private appendFields(stream: string, fields: Record<string, string>, maxLen: number, keepUnread = false): string {
    const s = this.stream(stream);
    const id = s.append(fields, this.now(), maxLen, keepUnread, this.readBack(stream));
    s.notifier.notify();
    return id;
  }

  /**
   * Back-pressure for the market-data writer: while a consumer group has not read (and acknowledged)
   * what lies beyond the stream's maxLen, the append does not resolve, so a producer that awaits its
   * appends (every source does) runs no further ahead than maxLen of the slowest group. Nothing a
   * group has not read is ever trimmed.
   */
  private async awaitRoom(stream: string, maxLen: number): Promise<void> {
    const s = this.stream(stream);
    if (s.excessUnread(maxLen) === 0) return;
    const startedAt = this.now();
    let warned = false;
    for (;;) {
      s.trim(maxLen, true);
      if (s.excessUnread(maxLen) === 0) return;
      if (this.isClosed) throw new Error('message bus is closed');
      if (!warned && this.now() - startedAt >= WRITER_WAIT_WARN_MS) {
        warned = true;
        this.log.warn({ stream, maxLen, waiting: s.excessUnread(maxLen), groups: s.laggingGroups() }, 'market-data writer held back: a consumer group has not read the oldest entries (back-pressure, nothing is trimmed unread)');
      }
      const waiter = s.progress.wait(WRITER_RECHECK_MS);
      this.tailCancels.add(waiter.cancel);
      await waiter.promise;
      this.tailCancels.delete(waiter.cancel);
    }
  }

  async readRaw(stream: string, afterId: string, count: number): Promise<RawStreamEntry[]> {
    const s = this.streams.get(stream);
    if (!s) return [];
    return s.after(afterId === '0' ? '0-0' : afterId, count).map((e) => ({ id: e.id, fields: { ...e.fields } }));
  }

  async streamLength(stream: string): Promise<number> {
    return this.streams.get(stream)?.length ?? 0;
  }

  async pendingCount(stream: string, group: string): Promise<number> {
    return this.streams.get(stream)?.groups.get(group)?.pending.size ?? 0;
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Subscription {
    this.assertOpen();
    return subscribe(new MemoryGroupBackend(this, options, this.now), options, this.options, { logger: this.log, now: this.now, active: this.subscriptions }, handler);
  }

  async read(stream: string, afterId: string, count: number): Promise<BusEntry[]> {
    return decodeEntries(stream, this.log, await this.readRaw(stream, afterId, count));
  }

  async readLatest(stream: string, count: number): Promise<BusEntry[]> {
    const s = this.streams.get(stream);
    if (!s) return [];
    return decodeEntries(stream, this.log, s.latest(count));
  }

  async tail(stream: string, afterId: string, blockMs: number, count: number): Promise<BusEntry[]> {
    if (this.isClosed) return [];
    const s = this.stream(stream);
    const from = afterId === '$' ? s.lastId : afterId === '0' ? '0-0' : afterId;
    const deadline = this.now() + Math.max(0, blockMs);
    for (;;) {
      const found = s.after(from, count);
      if (found.length > 0) return decodeEntries(stream, this.log, found);
      const remaining = deadline - this.now();
      if (remaining <= 0 || this.isClosed) return [];
      const waiter = s.notifier.wait(remaining);
      this.tailCancels.add(waiter.cancel);
      await waiter.promise;
      this.tailCancels.delete(waiter.cancel);
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const cancel of [...this.tailCancels]) cancel();
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
  }

  /** @internal used by the group backend */
  groupState(streamName: string): MemoryStream {
    return this.stream(streamName);
  }

  /** @internal */
  async appendDeadLetter(stream: string, fields: Record<string, string>): Promise<void> {
    this.appendFields(Streams.deadLetter(stream), fields, StreamRetention.deadLetter);
  }
}

class MemoryGroupBackend implements GroupBackend {
  private isInterrupted = false;
  private cancelWait: (() => void) | null = null;

  constructor(
    private readonly bus: InProcessBus,
    private readonly options: ConsumeOptions,
    private readonly now: () => number,
  ) {}

  private group(stream: string): MemoryGroup {
    const g = this.bus.groupState(stream).groups.get(this.options.group);
    if (!g) throw new Error(`NOGROUP no consumer group ${this.options.group} on ${stream}`);
    return g;
  }

  async ensureGroups(): Promise<void> {
    for (const name of this.options.streams) {
      const s = this.bus.groupState(name);
      if (!s.groups.has(this.options.group)) {
        s.groups.set(this.options.group, {
          lastDeliveredId: (this.options.startAt ?? '0') === '$' ? s.lastId : '0-0',
          pending: new Map(),
          readers: new Set(),
        });
      }
      s.groups.get(this.options.group)!.readers.add(this);
    }
  }

  async readOwnPending(count: number): Promise<RawDelivery[]> {
    // like XREADGROUP over several streams, COUNT applies to each stream
    const out: RawDelivery[] = [];
    for (const name of this.options.streams) {
      const s = this.bus.groupState(name);
      const g = this.group(name);
      const mine = [...g.pending.entries()]
        .filter(([, p]) => p.consumer === this.options.consumer)
        .sort(([a], [b]) => compareStreamIds(a, b))
        .slice(0, count);
      const nowMs = this.now();
      for (const [id, p] of mine) {
        p.deliveredAt = nowMs;
        p.deliveryCount += 1;
        const entry = s.find(id);
        out.push({ stream: name, id, fields: entry ? { ...entry.fields } : null, deliveryCount: p.deliveryCount });
      }
    }
    return out;
  }

  async claimIdle(stream: string, minIdleMs: number, cursor: string, count: number): Promise<{ next: string; entries: RawDelivery[] }> {
    const s = this.bus.groupState(stream);
    const g = this.group(stream);
    const nowMs = this.now();
    const candidates = [...g.pending.entries()]
      .filter(([id]) => compareStreamIds(id, cursor) >= 0)
      .sort(([a], [b]) => compareStreamIds(a, b));
    const entries: RawDelivery[] = [];
    let next = '0-0';
    for (const [id, p] of candidates) {
      if (entries.length >= count) {
        next = id;
        break;
      }
      if (nowMs - p.deliveredAt < minIdleMs) continue;
      const entry = s.find(id);
      if (!entry) {
        g.pending.delete(id); // trimmed away: Redis 7 XAUTOCLAIM drops such ids from the PEL
        continue;
      }
      p.consumer = this.options.consumer;
      p.deliveredAt = nowMs;
      p.deliveryCount += 1;
      entries.push({ stream, id, fields: { ...entry.fields }, deliveryCount: p.deliveryCount });
    }
    return { next, entries };
  }

  private takeNew(count: number): RawDelivery[] {
    const out: RawDelivery[] = [];
    const nowMs = this.now();
    // COUNT applies to each stream (as XREADGROUP), so a busy stream cannot starve the others
    for (const name of this.options.streams) {
      const s = this.bus.groupState(name);
      const g = this.group(name);
      for (const e of s.after(g.lastDeliveredId, count)) {
        g.lastDeliveredId = e.id;
        g.pending.set(e.id, { consumer: this.options.consumer, deliveredAt: nowMs, deliveryCount: 1 });
        out.push({ stream: name, id: e.id, fields: { ...e.fields }, deliveryCount: 1 });
      }
    }
    return out;
  }

  async readNew(count: number, blockMs: number): Promise<RawDelivery[]> {
    if (this.isInterrupted) return [];
    const first = this.takeNew(count);
    if (first.length > 0) return first;
    const waiters = this.options.streams.map((name) => this.bus.groupState(name).notifier.wait(blockMs));
    this.cancelWait = () => {
      for (const w of waiters) w.cancel();
    };
    await Promise.race(waiters.map((w) => w.promise));
    this.cancelWait();
    this.cancelWait = null;
    if (this.isInterrupted) return [];
    return this.takeNew(count);
  }

  async ack(stream: string, ids: readonly string[]): Promise<void> {
    const g = this.group(stream);
    for (const id of ids) g.pending.delete(id);
    this.bus.groupState(stream).progress.notify();
  }

  async deadLetter(stream: string, entry: RawStreamEntry, reason: { code: string; message: string }): Promise<void> {
    await this.bus.appendDeadLetter(stream, deadLetterFields(stream, entry, reason, this.options));
  }

  interrupt(): void {
    this.isInterrupted = true;
    this.cancelWait?.();
  }

  async close(): Promise<void> {
    this.interrupt();
    for (const name of this.options.streams) {
      const s = this.bus.groupState(name);
      s.groups.get(this.options.group)?.readers.delete(this);
      s.progress.notify();
    }
  }
}
