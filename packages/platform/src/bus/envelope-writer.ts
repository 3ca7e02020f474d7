import type { Envelope } from '@btc-research/contracts';

/**
 * The write path of high-rate producers (the stream-manager's market data): appends envelopes in
 * the order append() is called, with approximate MAXLEN trimming, and resolves with the entry id
 * once the bus has stored it. Unlike MessageBus.publish it does not validate again: envelopes come
 * from makeEnvelope, which validated the payload. A refused or lost append rejects; nothing is
 * dropped silently. Each bus provides one (Redis: its own connection, see RespStreamWriter).
 */
export interface EnvelopeWriter {
  append(stream: string, envelope: Envelope, maxLen: number): Promise<string>;
  /** Waits (briefly) for appends already sent, then releases the writer; later appends reject. */
  close(): Promise<void>;
}

/** What a bus's writer may be told of the streams it writes. */
export interface WriterOptions {
  /** the consumer groups that read a stream; a bus that trims by what groups have read makes sure they exist before the stream's first entry */
  readBy?: (stream: string) => readonly string[];
}
