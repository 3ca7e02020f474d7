import { StreamRetention, Streams, type Envelope } from '@btc-research/contracts';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { subscribe, type ConsumerLoop, type GroupBackend, type RawDelivery } from './consumer-loop.js';
import type { EnvelopeWriter } from './envelope-writer.js';
import type { BusTuning } from './bus-tuning.js';
import type { BatchHandler, BusEntry, ConsumeOptions, MessageBus, Subscription } from './message-bus.js';
import { deadLetterFields, decodeEntries, fieldsForPublish, fieldsFromList, type RawStreamAccess, type RawStreamEntry } from './raw-entry.js';
import { REDIS_DISCONNECT_TIMEOUT_MS } from './redis-client-options.js';
import { RespStreamWriter, type RespStreamWriterOptions } from './resp-stream-writer.js';

export interface RedisBusOptions extends BusTuning {
  redisUrl: string;
  logger: Logger;
  /** idle blocking connections kept for tail(); more are opened on demand. Default 4. */
  maxIdleTailConnections?: number;
}

type RawRedisEntry = [string, unknown[] | null];

function toRawEntries(list: unknown): RawStreamEntry[] {
  if (!Array.isArray(list)) return [];
  const out: RawStreamEntry[] = [];
  for (const item of list as RawRedisEntry[]) {
    if (!Array.isArray(item) || item[1] === null || item[1] === undefined) continue;
    out.push({ id: String(item[0]), fields: fieldsFromList(item[1]) });
  }
  return out;
}

/** XREAD/XREADGROUP reply: [[stream, [[id, fields|null], ...]], ...] or null. */
function parseStreamsReply(reply: unknown): Array<{ stream: string; entries: Array<{ id: string; fields: Record<string, string> | null }> }> {
  if (!Array.isArray(reply)) return [];
  return (reply as Array<[string, RawRedisEntry[]]>).map(([stream, entries]) => ({
    stream: String(stream),
    entries: (entries ?? []).map(([id, fields]) => ({ id: String(id), fields: Array.isArray(fields) ? fieldsFromList(fields) : null })),
  }));
}

function exclusiveStart(afterId: string): string {
  return afterId === '0' || afterId === '0-0' ? '-' : `(${afterId}`;
}

/**
 * The distributed bus over Redis Streams. Stream entries carry the fields `type`, `v` and `data`
 * (data = JSON of the whole envelope). Blocking reads use their own connections: one per
 * subscription and a small pool for tail(); close() disconnects all of them.
 */
export class RedisBus implements MessageBus, RawStreamAccess {
  readonly kind = 'redis' as const;
  private readonly main: Redis;
  private readonly subscriptions = new Set<ConsumerLoop>();
  private readonly idleTail: Redis[] = [];
  private readonly busyTail = new Set<Redis>();
  private isClosed = false;
  private readonly log: Logger;

  constructor(private readonly options: RedisBusOptions) {
    this.log = options.logger;
    this.main = new Redis(options.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 20, disconnectTimeout: REDIS_DISCONNECT_TIMEOUT_MS });
    this.main.on('error', (err: unknown) => this.log.warn({ err }, 'redis connection error'));
  }

  /** A new connection for blocking commands (it waits out reconnects instead of failing). */
  duplicateConnection(): Redis {
    const conn = this.main.duplicate({ maxRetriesPerRequest: null });
    conn.on('error', (err: unknown) => this.log.debug({ err }, 'redis blocking connection error'));
    return conn;
  }

  /** resolves once the main connection answers PING (useful for readiness checks) */
  async ping(): Promise<void> {
    await this.main.ping();
  }

  private assertOpen(): void {
    if (this.isClosed) throw new Error('message bus is closed');
  }

  async publish(stream: string, envelope: Envelope, maxLen: number): Promise<string> {
    this.assertOpen();
    return this.appendRaw(stream, fieldsForPublish(envelope), maxLen);
  }

  /** The RESP writer on its own connection (see RespStreamWriter); tuning for tests and special deployments. */
  openWriter(tuning: Omit<RespStreamWriterOptions, 'url' | 'logger'> = {}): EnvelopeWriter {
    // WriterOptions (readBy) is a subset of the RESP writer's tuning
    this.assertOpen();
    return new RespStreamWriter({ ...tuning, url: this.options.redisUrl, logger: this.log });
  }

  async appendRaw(stream: string, fields: Readonly<Record<string, string>>, maxLen: number): Promise<string> {
    this.assertOpen();
    const args: string[] = [stream, 'MAXLEN', '~', String(Math.max(0, Math.floor(maxLen))), '*'];
    for (const [k, v] of Object.entries(fields)) args.push(k, v);
    return String(await this.main.call('XADD', ...args));
  }

  async readRaw(stream: string, afterId: string, count: number): Promise<RawStreamEntry[]> {
    if (count <= 0) return [];
    return toRawEntries(await this.main.call('XRANGE', stream, exclusiveStart(afterId), '+', 'COUNT', String(count)));
  }

  async streamLength(stream: string): Promise<number> {
    return Number(await this.main.call('XLEN', stream));
  }

  async pendingCount(stream: string, group: string): Promise<number> {
    try {
      const reply = await this.main.call('XPENDING', stream, group);
      return Array.isArray(reply) ? Number(reply[0]) : 0;
    } catch (err) {
      if (err instanceof Error && err.message.includes('NOGROUP')) return 0;
      throw err;
    }
  }

  consume(options: ConsumeOptions, handler: BatchHandler): Subscription {
    this.assertOpen();
    return subscribe(new RedisGroupBackend(this, options), options, this.options, { logger: this.log, now: Date.now, active: this.subscriptions }, handler);
  }

  async read(stream: string, afterId: string, count: number): Promise<BusEntry[]> {
    return decodeEntries(stream, this.log, await this.readRaw(stream, afterId, count));
  }

  async readLatest(stream: string, count: number): Promise<BusEntry[]> {
    if (count <= 0) return [];
    const raw = toRawEntries(await this.main.call('XREVRANGE', stream, '+', '-', 'COUNT', String(count)));
    return decodeEntries(stream, this.log, raw.reverse());
  }

  async tail(stream: string, afterId: string, blockMs: number, count: number): Promise<BusEntry[]> {
    if (this.isClosed) return [];
    const conn = this.idleTail.pop() ?? this.duplicateConnection();
    this.busyTail.add(conn);
    try {
      const reply = await conn.call('XREAD', 'COUNT', String(Math.max(1, count)), 'BLOCK', String(Math.max(1, Math.floor(blockMs))), 'STREAMS', stream, afterId === '0' ? '0-0' : afterId);
      const parsed = parseStreamsReply(reply);
      const raw: RawStreamEntry[] = [];
      for (const s of parsed) for (const e of s.entries) if (e.fields) raw.push({ id: e.id, fields: e.fields });
      return decodeEntries(stream, this.log, raw);
    } catch (err) {
      if (this.isClosed) return [];
      throw err;
    } finally {
      this.busyTail.delete(conn);
      if (!this.isClosed && this.idleTail.length < (this.options.maxIdleTailConnections ?? 4)) this.idleTail.push(conn);
      else conn.disconnect();
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const conn of this.busyTail) conn.disconnect();
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.subscriptions.clear();
    for (const conn of this.idleTail.splice(0)) conn.disconnect();
    this.main.disconnect();
  }
}

class RedisGroupBackend implements GroupBackend {
  private readonly conn: Redis;
  private isInterrupted = false;
  private isBlocking = false;

  constructor(
    private readonly bus: RedisBus,
    private readonly options: ConsumeOptions,
  ) {
    this.conn = bus.duplicateConnection();
  }

  async ensureGroups(): Promise<void> {
    for (const stream of this.options.streams) {
      try {
        await this.conn.call('XGROUP', 'CREATE', stream, this.options.group, this.options.startAt ?? '0', 'MKSTREAM');
      } catch (err) {
        if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
      }
    }
  }

  /** delivery counts of entries pending in the group, from XPENDING's extended form */
  private async deliveryCounts(stream: string, ids: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const reply = await this.conn.call('XPENDING', stream, this.options.group, ids[0]!, ids[ids.length - 1]!, String(ids.length * 10 + 100), this.options.consumer);
    if (Array.isArray(reply)) {
      for (const row of reply as Array<[string, string, number, number]>) counts.set(String(row[0]), Number(row[3]));
    }
    return counts;
  }

  private async withCounts(stream: string, entries: Array<{ id: string; fields: Record<string, string> | null }>): Promise<RawDelivery[]> {
    const counts = await this.deliveryCounts(stream, entries.map((e) => e.id));
    return entries.map((e) => ({ stream, id: e.id, fields: e.fields, deliveryCount: counts.get(e.id) ?? 1 }));
  }

  async readOwnPending(count: number): Promise<RawDelivery[]> {
    const { streams, group, consumer } = this.options;
    const reply = await this.conn.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(count), 'STREAMS', ...streams, ...streams.map(() => '0'));
    const out: RawDelivery[] = [];
    for (const s of parseStreamsReply(reply)) {
      if (s.entries.length > 0) out.push(...(await this.withCounts(s.stream, s.entries)));
    }
    return out;
  }

  async claimIdle(stream: string, minIdleMs: number, cursor: string, count: number): Promise<{ next: string; entries: RawDelivery[] }> {
    const reply = (await this.conn.call(
      'XAUTOCLAIM', stream, this.options.group, this.options.consumer, String(Math.floor(minIdleMs)), cursor, 'COUNT', String(count),
    )) as [string, RawRedisEntry[], string[]?];
    const next = String(reply[0]);
    const claimed = (reply[1] ?? [])
      .filter((e) => Array.isArray(e[1]))
      .map(([id, fields]) => ({ id: String(id), fields: fieldsFromList(fields as unknown[]) }));
    const entries = claimed.length > 0 ? await this.withCounts(stream, claimed) : [];
    return { next, entries };
  }

  async readNew(count: number, blockMs: number): Promise<RawDelivery[]> {
    if (this.isInterrupted) return [];
    const { streams, group, consumer } = this.options;
    this.isBlocking = true;
    let reply: unknown;
    try {
      reply = await this.conn.call(
        'XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(count), 'BLOCK', String(Math.max(1, Math.floor(blockMs))), 'STREAMS', ...streams, ...streams.map(() => '>'),
      );
    } catch (err) {
      if (this.isInterrupted) return []; // disconnected by stop(); entries it may have read stay pending
      throw err;
    } finally {
      this.isBlocking = false;
    }
    const out: RawDelivery[] = [];
    for (const s of parseStreamsReply(reply)) for (const e of s.entries) out.push({ stream: s.stream, id: e.id, fields: e.fields, deliveryCount: 1 });
    return out;
  }

  async ack(stream: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.conn.call('XACK', stream, this.options.group, ...ids);
  }

  async deadLetter(stream: string, entry: RawStreamEntry, reason: { code: string; message: string }): Promise<void> {
    const fields = deadLetterFields(stream, entry, reason, this.options);
    const args: string[] = [Streams.deadLetter(stream), 'MAXLEN', '~', String(StreamRetention.deadLetter), '*'];
    for (const [k, v] of Object.entries(fields)) args.push(k, v);
    await this.conn.call('XADD', ...args);
  }

  interrupt(): void {
    this.isInterrupted = true;
    if (this.isBlocking) this.conn.disconnect();
  }

  async close(): Promise<void> {
    this.isInterrupted = true;
    this.conn.disconnect();
  }
}
