import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { StrategyFillV1, StrategyParityCheckedV1 } from '@btc-research/contracts';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { BackupCounts, BackupRecord } from './strategy-store.js';
import { StoredEquity, StoredEvent, StoredMarketEvent, StoredOrder, StoredOutboxDelivery, StoredPosition, StoredState, StoredStrategy, StoredWarmupHistory } from './validate.js';

/**
 * A backup file: JSON Lines (gzip when the name ends in .gz). The first line is the header, every
 * line after it one BackupRecord, and the last one a trailer with the number of lines before it and
 * the SHA-256 of their bytes, so a truncated or edited file is refused before anything is written.
 */
const Id = z.string().min(1);
const Line = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('header'), format: z.literal('btc-research-backup'), version: z.literal(1), createdAt: z.number(), source: z.enum(['json', 'postgres']) }),
  z.object({ kind: z.literal('strategy'), record: StoredStrategy.extend({ configYaml: z.string() }) }),
  z.object({ kind: z.literal('state'), strategyId: Id, state: StoredState }),
  z.object({ kind: z.literal('positions'), strategyId: Id, positions: z.array(StoredPosition) }),
  z.object({ kind: z.literal('trades'), strategyId: Id, trades: z.array(StrategyFillV1) }),
  z.object({ kind: z.literal('equity'), strategyId: Id, points: z.array(StoredEquity) }),
  z.object({ kind: z.literal('orders'), strategyId: Id, orders: z.array(StoredOrder) }),
  z.object({ kind: z.literal('events'), strategyId: Id, events: z.array(StoredEvent) }),
  z.object({
    kind: z.literal('snapshot'),
    strategyId: Id,
    snapshot: z.object({ strategyId: Id, eventSeq: z.number().int(), marketSeq: z.number().int(), time: z.number(), state: z.unknown() }),
    checksum: z.string(),
  }),
  z.object({ kind: z.literal('parity'), strategyId: Id, checks: z.array(StrategyParityCheckedV1) }),
  z.object({ kind: z.literal('warmup'), strategyId: Id, history: StoredWarmupHistory }),
  z.object({ kind: z.literal('start-claim'), strategyId: Id, owner: Id }),
  z.object({ kind: z.literal('market'), symbol: Id, events: z.array(StoredMarketEvent) }),
  z.object({ kind: z.literal('outbox'), rows: z.array(StoredOutboxDelivery) }),
]);
const Trailer = z.object({ kind: z.literal('trailer'), lines: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export interface BackupSummary {
  /** records in the file (header included, trailer not) */
  lines: number;
  source: 'json' | 'postgres';
  createdAt: number;
  counts: BackupCounts;
}

function emptyCounts(): BackupCounts {
  return { strategies: 0, trades: 0, orders: 0, events: 0, equityPoints: 0, snapshots: 0, marketEvents: 0, notifications: 0 };
}

function count(counts: BackupCounts, r: BackupRecord): void {
  if (r.kind === 'strategy') counts.strategies += 1;
  else if (r.kind === 'trades') counts.trades += r.trades.length;
  else if (r.kind === 'orders') counts.orders += r.orders.length;
  else if (r.kind === 'events') counts.events += r.events.length;
  else if (r.kind === 'equity') counts.equityPoints += r.points.length;
  else if (r.kind === 'snapshot') counts.snapshots += 1;
  else if (r.kind === 'market') counts.marketEvents += r.events.length;
  else if (r.kind === 'outbox') counts.notifications += r.rows.length;
}

/**
 * Writes records to `path`: first to `<path>.partial`, renamed into place only once complete, so a
 * failed backup never leaves a file that looks like a good one.
 */
export async function writeBackupFile(path: string, records: AsyncIterable<BackupRecord>): Promise<BackupSummary> {
  const partial = `${path}.partial`;
  const hash = createHash('sha256');
  const counts = emptyCounts();
  let lines = 0;
  let header: Extract<BackupRecord, { kind: 'header' }> | null = null;
  async function* text(): AsyncGenerator<string> {
    for await (const r of records) {
      if (r.kind === 'header') header = r;
      count(counts, r);
      const line = `${JSON.stringify(r)}\n`;
      hash.update(line);
      lines += 1;
      yield line;
    }
    yield `${JSON.stringify({ kind: 'trailer', lines, sha256: hash.digest('hex') })}\n`;
  }
  try {
    const out = createWriteStream(partial, { mode: 0o600 });
    if (path.endsWith('.gz')) await pipeline(Readable.from(text()), createGzip(), out);
    else await pipeline(Readable.from(text()), out);
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  const h = header as Extract<BackupRecord, { kind: 'header' }> | null;
  if (!h) throw new ValidationError('the store produced no header');
  return { lines, source: h.source, createdAt: h.createdAt, counts };
}

function rawLines(path: string): AsyncIterable<string> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  return createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

function parseLine(path: string, n: number, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError(`${path}:${n}: not valid JSON`, { details: { file: path, line: n } });
  }
}

/**
 * Reads the whole file once and checks it: every line a valid record, the header first, and the
 * trailer's line count and SHA-256 matching. Errors name the file and line.
 */
export async function verifyBackupFile(path: string): Promise<BackupSummary> {
  const hash = createHash('sha256');
  const counts = emptyCounts();
  let n = 0;
  let header: BackupSummary | null = null;
  let trailer: z.infer<typeof Trailer> | null = null;
  for await (const text of rawLines(path)) {
    n += 1;
    if (text === '') continue;
    if (trailer) throw new ValidationError(`${path}:${n}: data after the trailer`, { details: { file: path, line: n } });
    const value = parseLine(path, n, text);
    if ((value as { kind?: unknown } | null)?.kind === 'trailer') {
      const t = Trailer.safeParse(value);
      if (!t.success) throw new ValidationError(`${path}:${n}: malformed trailer`, { details: { file: path, line: n } });
      trailer = t.data;
      continue;
    }
    const parsed = Line.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(`${path}:${n}: ${issue ? `${issue.path.join('.') || 'record'}: ${issue.message}` : 'not a backup record'}`, { details: { file: path, line: n } });
    }
    if (n === 1) {
      if (parsed.data.kind !== 'header') throw new ValidationError(`${path}:1: not a btc-research backup (no header)`, { details: { file: path, line: 1 } });
      header = { lines: 0, source: parsed.data.source, createdAt: parsed.data.createdAt, counts };
    }
    hash.update(`${text}\n`);
    count(counts, parsed.data as BackupRecord);
  }
  if (!header) throw new ValidationError(`${path}: empty, or not a btc-research backup`, { details: { file: path } });
  if (!trailer) throw new ValidationError(`${path}: no trailer: the file is incomplete (truncated or still being written)`, { details: { file: path } });
  if (trailer.lines !== n - 1 || trailer.sha256 !== hash.digest('hex')) {
    throw new ValidationError(`${path}: the content does not match its trailer (${trailer.lines} lines expected): the file was changed or damaged`, { details: { file: path } });
  }
  return { ...header, lines: n - 1 };
}

/** The records of a file verifyBackupFile accepted, in order (the trailer left out). */
export async function* readBackupFile(path: string): AsyncGenerator<BackupRecord> {
  let n = 0;
  for await (const text of rawLines(path)) {
    n += 1;
    if (text === '') continue;
    const value = parseLine(path, n, text);
    if ((value as { kind?: unknown }).kind === 'trailer') return;
    yield Line.parse(value) as BackupRecord;
  }
}
