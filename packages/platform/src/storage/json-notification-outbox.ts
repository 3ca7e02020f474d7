import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NotificationChannelName, NotificationEventV1 } from '@btc-research/contracts';
import { z } from 'zod';
import { JsonlFile } from './atomic-file.js';
import type { NotificationOutbox, OutboxClaim, OutboxDelivery, OutboxEnqueue, OutboxOutcome } from './notification-outbox.js';
import { StoredOutboxDelivery, parseStored } from './validate.js';

/** One line of outbox.jsonl: a new row, a claim of it, its settlement, or a whole row (compaction). The rows are the fold of the lines. */
const StoredRow = StoredOutboxDelivery.extend({
  claimedBy: z.string().nullable(),
  claimedUntil: z.number(),
});

const OutboxLine = z.discriminatedUnion('op', [
  /** a whole row, as written by compaction */
  z.object({ op: z.literal('row'), row: StoredRow }),
  z.object({ op: z.literal('add'), eventId: z.string(), channel: NotificationChannelName, event: NotificationEventV1, at: z.number() }),
  z.object({ op: z.literal('claim'), eventId: z.string(), channel: NotificationChannelName, owner: z.string(), until: z.number() }),
  z.object({
    op: z.literal('settle'),
    eventId: z.string(),
    channel: NotificationChannelName,
    status: z.enum(['delivered', 'retry', 'failed']),
    at: z.number(),
    error: z.string().nullable(),
  }),
]);
type OutboxLine = z.infer<typeof OutboxLine>;

interface Row extends OutboxDelivery {
  claimedBy: string | null;
  claimedUntil: number;
}

/** delivered and failed rows kept when the file is compacted (the newest) */
const KEEP_SETTLED = 1_000;
/** compact when the file holds this many more lines than rows */
const COMPACT_SLACK = 5_000;

/**
 * The outbox of the JSON store: one append-only, fsync'd JSON Lines file of operations under
 * <dataDir>/notifications/outbox.jsonl, folded into rows in memory. A crash leaves at most a torn
 * last line, which is ignored. One process uses it (the embedded mode); calls are serialised.
 */
export class JsonNotificationOutbox implements NotificationOutbox {
  private readonly file: JsonlFile<OutboxLine>;
  private rows: Map<string, Row> | null = null;
  private lines = 0;
  private queue: Promise<unknown> = Promise.resolve();

  private readonly keepSettled: number;
  private readonly compactSlack: number;

  constructor(path: string, tuning: { keepSettled?: number; compactSlack?: number } = {}) {
    this.keepSettled = tuning.keepSettled ?? KEEP_SETTLED;
    this.compactSlack = tuning.compactSlack ?? COMPACT_SLACK;
    this.file = new JsonlFile(path, (v, where) => parseStored(OutboxLine, v, where));
  }

  enqueue(items: readonly OutboxEnqueue[], now: number): Promise<number> {
    return this.serialise(async (rows) => {
      const lines: OutboxLine[] = [];
      const added = new Set<string>();
      for (const { event, channels } of items) {
        for (const channel of channels) {
          const k = key(event.id, channel);
          if (rows.has(k) || added.has(k)) continue;
          added.add(k);
          lines.push({ op: 'add', eventId: event.id, channel, event, at: now });
        }
      }
      await this.write(lines);
      return lines.length;
    });
  }

  claim(request: OutboxClaim): Promise<OutboxDelivery[]> {
    return this.serialise(async (rows) => {
      const due = [...rows.values()]
        .filter((r) => r.channel === request.channel && r.status === 'pending' && (r.nextAttemptAt ?? 0) <= request.now && r.claimedUntil < request.now)
        .sort((a, b) => a.createdAt - b.createdAt || (a.eventId < b.eventId ? -1 : 1))
        .slice(0, request.limit);
      await this.write(due.map((r) => ({ op: 'claim', eventId: r.eventId, channel: r.channel, owner: request.owner, until: request.now + request.leaseMs })));
      return due.map((r) => publicRow(rows.get(key(r.eventId, r.channel)) as Row));
    });
  }

  settle(eventId: string, channel: NotificationChannelName, owner: string, outcome: OutboxOutcome): Promise<void> {
    return this.serialise(async (rows) => {
      const row = rows.get(key(eventId, channel));
      if (!row || row.status !== 'pending' || row.claimedBy !== owner) return;
      const at = outcome.status === 'delivered' ? outcome.at : outcome.status === 'retry' ? outcome.retryAt : Date.now();
      await this.write([{ op: 'settle', eventId, channel, status: outcome.status, at, error: outcome.status === 'delivered' ? null : outcome.error }]);
    });
  }

  recent(limit: number): Promise<OutboxDelivery[]> {
    return this.serialise(async (rows) =>
      [...rows.values()]
        .sort((a, b) => b.createdAt - a.createdAt || (a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : a.channel < b.channel ? 1 : -1))
        .slice(0, limit)
        .map(publicRow),
    );
  }

  importRows(rows: readonly OutboxDelivery[]): Promise<void> {
    return this.serialise(async () => this.write(rows.map((r) => ({ op: 'row', row: { ...r, claimedBy: null, claimedUntil: 0 } }))));
  }

  /** Deletes every row (the store's clear, before a restore). */
  clear(): Promise<void> {
    return this.serialise(async () => {
      await rm(this.file.path, { force: true });
      await this.file.rewrite([]);
      this.rows = new Map();
      this.lines = 0;
    });
  }

  private async write(lines: OutboxLine[]): Promise<void> {
    if (lines.length === 0) return;
    await this.file.append(lines);
    const rows = this.rows as Map<string, Row>;
    for (const line of lines) apply(rows, line);
    this.lines += lines.length;
    // a long-running process keeps the file (and the rows in memory) bounded
    if (this.lines > 2 * rows.size + this.compactSlack) await this.compact(rows);
  }

  private serialise<T>(op: (rows: Map<string, Row>) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => op(await this.load());
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Map<string, Row>> {
    if (this.rows) return this.rows;
    await mkdir(dirname(this.file.path), { recursive: true });
    const { items } = await this.file.load();
    const rows = new Map<string, Row>();
    for (const line of items) apply(rows, line);
    this.rows = rows;
    this.lines = items.length;
    if (this.lines > 2 * rows.size + this.compactSlack) await this.compact(rows);
    return rows;
  }

  /** Rewrites the file as one line per row, dropping all but the newest `keepSettled` settled rows. */
  private async compact(rows: Map<string, Row>): Promise<void> {
    const settled = [...rows.values()].filter((r) => r.status !== 'pending').sort((a, b) => b.createdAt - a.createdAt || (a.eventId < b.eventId ? 1 : -1));
    for (const r of settled.slice(this.keepSettled)) rows.delete(key(r.eventId, r.channel));
    const lines: OutboxLine[] = [...rows.values()].map((row) => ({ op: 'row', row }));
    await this.file.rewrite(lines);
    this.lines = lines.length;
  }
}

function key(eventId: string, channel: string): string {
  return `${channel}\u0000${eventId}`;
}

function apply(rows: Map<string, Row>, line: OutboxLine): void {
  if (line.op === 'row') {
    rows.set(key(line.row.eventId, line.row.channel), { ...line.row });
    return;
  }
  const k = key(line.eventId, line.channel);
  if (line.op === 'add') {
    if (!rows.has(k)) {
      rows.set(k, { eventId: line.eventId, channel: line.channel, event: line.event, status: 'pending', attempts: 0, lastError: null, createdAt: line.at, nextAttemptAt: line.at, deliveredAt: null, claimedBy: null, claimedUntil: 0 });
    }
    return;
  }
  const row = rows.get(k);
  if (!row) return;
  if (line.op === 'claim') {
    row.attempts += 1;
    row.claimedBy = line.owner;
    row.claimedUntil = line.until;
    return;
  }
  row.claimedBy = null;
  row.claimedUntil = 0;
  row.lastError = line.error;
  if (line.status === 'delivered') {
    row.status = 'delivered';
    row.deliveredAt = line.at;
    row.nextAttemptAt = null;
  } else if (line.status === 'failed') {
    row.status = 'failed';
    row.nextAttemptAt = null;
  } else row.nextAttemptAt = line.at;
}

function publicRow(r: Row): OutboxDelivery {
  const { claimedBy: _by, claimedUntil: _until, ...rest } = r;
  return { ...rest };
}
