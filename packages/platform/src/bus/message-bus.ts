import type { Envelope } from '@btc-research/contracts';
import type { EnvelopeWriter, WriterOptions } from './envelope-writer.js';

/** One entry read from a stream: its id (Redis stream id format "<ms>-<seq>") and the decoded envelope. */
export interface BusEntry {
  stream: string;
  id: string;
  envelope: Envelope;
  /** how many times this entry has been delivered to a consumer of the group (1 on first delivery). */
  deliveryCount: number;
}

export interface ConsumeOptions {
  streams: readonly string[];
  group: string;
  consumer: string;
  /** where a newly created group starts: '0' = whole stream, '$' = only new entries. Default '0'. */
  startAt?: '0' | '$';
  batchSize?: number;
  /** entries pending longer than this on another (dead) consumer are claimed. Default 30 000 ms. */
  claimIdleMs?: number;
}

/**
 * Handler for a batch of entries. Entries are acknowledged only after the handler resolves, so a
 * crash before that redelivers them (at-least-once). Handlers must be idempotent on entry/envelope id.
 * A handler that throws leaves its entries pending; they are retried.
 */
export type BatchHandler = (entries: readonly BusEntry[]) => Promise<void>;

export interface Subscription {
  /** stops reading; resolves once the in-flight batch has been handled and acknowledged. */
  stop(): Promise<void>;
}

/**
 * The message bus: Redis Streams in distributed mode, an in-process implementation with the same
 * semantics (consumer groups, pending entries, MAXLEN trimming, dead letters) in embedded mode.
 */
export interface MessageBus {
  readonly kind: 'redis' | 'in-process';
  /** Validates the envelope, appends it with approximate MAXLEN trimming and returns the entry id. */
  publish(stream: string, envelope: Envelope, maxLen: number): Promise<string>;
  /** A writer for a high-rate producer (market data): envelopes makeEnvelope built, appended without a
   * second validation, over its own connection with Redis. The caller closes it. Unlike publish(), it
   * never trims an entry a consumer group has not read: in process, an append resolves only once the
   * slowest group is within maxLen (back-pressure); Redis keeps the unread entries past maxLen. */
  openWriter(options?: WriterOptions): EnvelopeWriter;
  /** Reads entries with a consumer group: first this consumer's own pending entries, then claims idle
   * entries of dead consumers, then new entries. Undecodable entries go to dlq:<stream> and are acked. */
  consume(options: ConsumeOptions, handler: BatchHandler): Subscription;
  /** Non-group read of entries after `afterId` (exclusive; '0' = from the start), oldest first. */
  read(stream: string, afterId: string, count: number): Promise<BusEntry[]>;
  /** The newest `count` entries, oldest first. */
  readLatest(stream: string, count: number): Promise<BusEntry[]>;
  /** Blocks up to `blockMs` for entries after `afterId` (use '$' semantics by passing the last seen id). */
  tail(stream: string, afterId: string, blockMs: number, count: number): Promise<BusEntry[]>;
  close(): Promise<void>;
}
