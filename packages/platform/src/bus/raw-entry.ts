import { decodeEnvelope, MessageDecodeError, type DecodeErrorCode, type Envelope } from '@btc-research/contracts';
import { ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BusEntry } from './message-bus.js';

/** A stream entry as stored: field/value pairs (for bus entries: `type`, `v`, `data`). */
export interface RawStreamEntry {
  id: string;
  fields: Record<string, string>;
}

/**
 * Raw access to streams, below envelope validation. Used to inspect dead letters (`dlq:*`), by
 * tooling, and by tests that need to inject malformed entries. Both bus implementations provide it.
 */
export interface RawStreamAccess {
  /** appends fields as they are (no validation), trimming to about maxLen; returns the id */
  appendRaw(stream: string, fields: Readonly<Record<string, string>>, maxLen: number): Promise<string>;
  /** entries after `afterId` (exclusive, '0' = from the start), oldest first */
  readRaw(stream: string, afterId: string, count: number): Promise<RawStreamEntry[]>;
  /** number of entries currently in the stream (0 when it does not exist) */
  streamLength(stream: string): Promise<number>;
  /** entries delivered to the group but not yet acknowledged (0 when the group does not exist) */
  pendingCount(stream: string, group: string): Promise<number>;
}

/** Fields of a bus entry for an envelope: `type` and `v` outside for routing, `data` = whole envelope. */
export function envelopeFields(envelope: Envelope, data: string): Record<string, string> {
  return { type: envelope.type, v: String(envelope.v), data };
}

export type RawDecodeResult =
  | { ok: true; envelope: Envelope }
  | { ok: false; code: DecodeErrorCode; message: string; path?: string };

/** Decodes a raw bus entry with the contracts' rules; `type`/`v` fields must agree with the envelope. */
export function decodeRawEntry(fields: Readonly<Record<string, string>>): RawDecodeResult {
  const data = fields['data'];
  if (data === undefined) return { ok: false, code: 'INVALID_ENVELOPE', message: 'stream entry has no data field' };
  let envelope: Envelope;
  try {
    envelope = decodeEnvelope(data);
  } catch (err) {
    if (err instanceof MessageDecodeError) {
      return err.path === undefined
        ? { ok: false, code: err.code, message: err.message }
        : { ok: false, code: err.code, message: err.message, path: err.path };
    }
    return { ok: false, code: 'MALFORMED_JSON', message: err instanceof Error ? err.message : String(err) };
  }
  if (fields['type'] !== undefined && fields['type'] !== envelope.type) {
    return { ok: false, code: 'INVALID_ENVELOPE', message: `entry field type "${fields['type']}" differs from envelope type "${envelope.type}"` };
  }
  if (fields['v'] !== undefined && fields['v'] !== String(envelope.v)) {
    return { ok: false, code: 'INVALID_ENVELOPE', message: `entry field v "${fields['v']}" differs from envelope v ${envelope.v}` };
  }
  return { ok: true, envelope };
}

/** Field list as returned by Redis ([k1, v1, k2, v2, ...]) to a record. */
export function fieldsFromList(list: readonly unknown[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = String(list[i + 1]);
  return out;
}

/** Encodes an envelope for publishing after checking it with the consumers' rules (producers validate too). */
export function encodeForPublish(envelope: Envelope): string {
  const data = JSON.stringify(envelope);
  const result = decodeRawEntry({ type: envelope.type, v: String(envelope.v), data });
  if (!result.ok) {
    throw new ValidationError(`cannot publish ${String(envelope.type)} v${String(envelope.v)}: ${result.message}`, {
      details: { code: result.code, ...(result.path === undefined ? {} : { path: result.path }) },
    });
  }
  return data;
}

/** A bus entry's fields for one envelope, checked with the consumers' rules first (what `publish` appends). */
export function fieldsForPublish(envelope: Envelope): Record<string, string> {
  return envelopeFields(envelope, encodeForPublish(envelope));
}

/** A dead-letter entry's fields: the undecodable entry's own fields plus why, where and by whom it was set aside. */
export function deadLetterFields(
  sourceStream: string,
  entry: RawStreamEntry,
  reason: { code: string; message: string },
  reader: { consumer: string; group: string },
): Record<string, string> {
  return { ...entry.fields, reason: reason.code, error: reason.message, consumer: reader.consumer, group: reader.group, sourceStream, sourceId: entry.id };
}

/** Decodes entries read without a group (read, readLatest, tail); an undecodable one is logged and skipped. */
export function decodeEntries(stream: string, log: Logger, entries: readonly RawStreamEntry[]): BusEntry[] {
  const out: BusEntry[] = [];
  for (const e of entries) {
    const decoded = decodeRawEntry(e.fields);
    if (decoded.ok) out.push({ stream, id: e.id, envelope: decoded.envelope, deliveryCount: 0 });
    else log.warn({ stream, streamId: e.id, code: decoded.code, error: decoded.message }, 'skipping undecodable entry');
  }
  return out;
}
