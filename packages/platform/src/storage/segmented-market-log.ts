import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError, DataCorruptedError } from '../errors.js';
import { fsyncDir, writeFileAtomic } from './atomic-file.js';
import { MarketLogSegment, sourceIdHash } from './market-log-segment.js';
import type { MarketEventRecord } from './strategy-store.js';

export type NewMarketEvent = Omit<MarketEventRecord, 'seq' | 'symbol'>;

export interface SegmentedMarketLogOptions {
  symbol: string;
  /** the symbol's segment files: <dataDir>/market_data/log/<SYMBOL>/ */
  dir: string;
  /** the one-file log of earlier versions (<dataDir>/market_data/log/<SYMBOL>.jsonl), moved in as a segment */
  legacyFile: string;
  /** a new segment is started once the last one holds this many bytes; default 4 MiB */
  maxSegmentBytes?: number;
  /** the most recent records kept in memory for the hot path; default 1,024 */
  recentCacheSize?: number;
}

const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
const DEFAULT_RECENT = 1_024;
const SEGMENT_NAME = /^(\d{16})\.jsonl$/;
/** a read that overlapped a prune starts over; more than this many in a row is a bug */
const MAX_READ_ATTEMPTS = 20;

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * One symbol's market log as a directory of segment files (JSON Lines, each named by its first
 * seq, a new one every few MiB), read from disk on demand instead of held in memory:
 *
 *   - memory per record: a 4-byte line offset and a 4-byte source-id hash (the segment being
 *     appended to keeps its ids exactly), plus the last `recentCacheSize` records for the hot path;
 *   - appends are idempotent on source id across the whole log (a hash match is confirmed against
 *     the segment's file), numbered to continue the log, one fsync'd write each;
 *   - pruning deletes whole segments, oldest first, and rewrites the one segment the cut falls in
 *     (atomically, under the name of its new first seq; the copy a crash may leave behind is
 *     recognised by its overlap and removed on the next load);
 *   - reads run beside appends; one that overlapped a prune starts over.
 * Writes (appends, prunes) are serialised here; one process writes a symbol's log at a time.
 */
export class SegmentedMarketLog {
  private segments: MarketLogSegment[] | null = null;
  private loading: Promise<MarketLogSegment[]> | null = null;
  /** the last records of the log (consecutive seqs ending at the log's end), or empty */
  private recent: MarketEventRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  /** the prune under way (or queued): a read that overlapped it waits for it before starting over */
  private pruning: Promise<void> | null = null;
  private readonly maxSegmentBytes: number;
  private readonly recentCacheSize: number;

  constructor(private readonly options: SegmentedMarketLogOptions) {
    this.maxSegmentBytes = options.maxSegmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.recentCacheSize = options.recentCacheSize ?? DEFAULT_RECENT;
  }

  /** Appends what is not in the log yet (by source id, also within the batch), numbered to continue it. */
  appendNew(events: readonly NewMarketEvent[]): Promise<MarketEventRecord[]> {
    return this.serialise(async () => {
      const segs = await this.loaded();
      const taken = await this.existing(segs, events.map((e) => e.sourceId));
      let seq = lastSeqOf(segs);
      const fresh: MarketEventRecord[] = [];
      for (const e of events) {
        if (taken.has(e.sourceId)) continue;
        taken.add(e.sourceId);
        fresh.push({ symbol: this.options.symbol, seq: ++seq, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data });
      }
      await this.write(segs, fresh);
      return fresh;
    });
  }

  /**
   * Appends records the caller numbered, which must continue the log exactly with source ids not in
   * it; otherwise a ConflictError and nothing is written. A restore (`startAnywhere`) may begin an
   * empty log at any seq: a backup of a pruned log starts after 1.
   */
  appendNumbered(events: readonly MarketEventRecord[], options: { startAnywhere?: boolean } = {}): Promise<void> {
    const symbol = this.options.symbol;
    return this.serialise(async () => {
      if (events.length === 0) return;
      const segs = await this.loaded();
      const lastSeq = lastSeqOf(segs);
      const startsEmptyLog = options.startAnywhere === true && segs.length === 0;
      if (!startsEmptyLog && events[0]!.seq !== lastSeq + 1) throw new ConflictError(`market log of ${symbol} ends at seq ${lastSeq}; cannot append from seq ${events[0]!.seq}`);
      const seen = new Set<string>();
      for (const e of events) {
        if (seen.has(e.sourceId)) throw new ConflictError(`market event ${e.sourceId} is already in the log of ${symbol}`);
        seen.add(e.sourceId);
      }
      const taken = await this.existing(segs, [...seen]);
      for (const id of taken) throw new ConflictError(`market event ${id} is already in the log of ${symbol}`);
      await this.write(
        segs,
        events.map((e) => ({ symbol, seq: e.seq, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data })),
      );
    });
  }

  /** Records with seq > afterSeq, in log order, at most `limit`. */
  list(afterSeq: number, limit: number): Promise<MarketEventRecord[]> {
    const n = Math.max(0, Math.floor(limit));
    return this.readRange((first, last) => {
      const from = Math.max(afterSeq + 1, first);
      return { from, n: Math.min(n, last - from + 1) };
    });
  }

  /** The last `limit` records, in log order. */
  last(limit: number): Promise<MarketEventRecord[]> {
    const n = Math.max(0, Math.floor(limit));
    return this.readRange((first, last) => {
      const count = Math.min(n, last - first + 1);
      return { from: last - count + 1, n: count };
    });
  }

  /**
   * Deletes the records with seq ≤ uptoSeq, always keeping the last one so numbering continues.
   * Returns how many were deleted.
   */
  prune(uptoSeq: number): Promise<number> {
    const done = this.serialise(async () => {
      const segs = await this.loaded();
      if (segs.length === 0) return 0;
      const upto = Math.min(uptoSeq, lastSeqOf(segs) - 1);
      if (upto < segs[0]!.firstSeq) return 0;
      let deleted = 0;
      const kept: MarketLogSegment[] = [];
      try {
        // whole segments first, oldest first, each removal durable before the next: a crash leaves
        // the log shorter at its start, never with a hole
        for (const seg of segs) {
          if (seg.lastSeq > upto) continue;
          seg.retired = true; // before the file goes: a reader that misses it knows why
          await rm(seg.path, { force: true });
          await fsyncDir(this.options.dir);
          deleted += seg.count;
        }
        for (const seg of segs) {
          if (seg.retired) continue;
          if (seg.firstSeq > upto) {
            kept.push(seg);
            continue;
          }
          // the cut falls inside: keep its tail as a new file named by its new first seq
          const from = upto + 1 - seg.firstSeq;
          const path = this.segmentPath(upto + 1);
          await writeFileAtomic(path, await seg.readRawFrom(from));
          const rewritten = await MarketLogSegment.scan(path, seg === segs[segs.length - 1]);
          if (rewritten === null) throw new DataCorruptedError(`${path} lost its records while pruning`, { details: { file: path } });
          seg.retired = true;
          await rm(seg.path, { force: true });
          await fsyncDir(this.options.dir);
          deleted += from;
          kept.push(rewritten);
        }
      } catch (err) {
        this.forget();
        throw err;
      }
      this.segments = kept;
      this.recent = this.recent.filter((r) => r.seq > upto);
      return deleted;
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.pruning = settled;
    void settled.then(() => {
      if (this.pruning === settled) this.pruning = null;
    });
    return done;
  }

  /** Waits for the writes under way. */
  async close(): Promise<void> {
    await this.queue;
  }

  private serialise<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** drops the in-memory index after a failed write: the next operation reads the files again */
  private forget(): void {
    this.segments = null;
    this.recent = [];
  }

  private segmentPath(firstSeq: number): string {
    return join(this.options.dir, `${String(firstSeq).padStart(16, '0')}.jsonl`);
  }

  private loaded(): Promise<MarketLogSegment[]> {
    if (this.segments !== null) return Promise.resolve(this.segments);
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /**
   * Reads the segment index from the files: moves a one-file log of an earlier version in, removes
   * empty files and the stale copy an interrupted prune may have left, checks the seqs are one
   * run, and keeps the last segment open for appends.
   */
  private async load(): Promise<MarketLogSegment[]> {
    await this.adoptLegacyFile();
    let names: string[];
    try {
      names = (await readdir(this.options.dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      names = [];
    }
    const segs: MarketLogSegment[] = [];
    // newest first: the last non-empty file is the one appends continue
    for (let i = names.length - 1; i >= 0; i--) {
      const path = join(this.options.dir, names[i]!);
      const seg = await MarketLogSegment.scan(path, segs.length === 0);
      if (seg === null) {
        await rm(path, { force: true }); // created, then a crash before its first record was whole
        continue;
      }
      if (Number(SEGMENT_NAME.exec(names[i]!)![1]) !== seg.firstSeq) {
        throw new DataCorruptedError(`${path} starts at seq ${seg.firstSeq}, not at the seq its name says`, { details: { file: path } });
      }
      const next = segs[0];
      if (next !== undefined && seg.lastSeq >= next.firstSeq) {
        // the copy a prune was replacing when it was interrupted: the newer file holds its tail
        await rm(path, { force: true });
        continue;
      }
      if (next !== undefined && seg.lastSeq + 1 !== next.firstSeq) {
        throw new DataCorruptedError(`market log of ${this.options.symbol} has a hole: ${path} ends at seq ${seg.lastSeq}, ${next.path} starts at seq ${next.firstSeq}`, {
          details: { file: path, next: next.path },
        });
      }
      segs.unshift(seg);
    }
    this.segments = segs;
    this.recent = [];
    return segs;
  }

  /** Moves <SYMBOL>.jsonl of the one-file layout into the segment directory, as its first segment. */
  private async adoptLegacyFile(): Promise<void> {
    const legacy = this.options.legacyFile;
    try {
      await stat(legacy);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const seg = await MarketLogSegment.scan(legacy, false);
    if (seg === null) {
      await rm(legacy, { force: true });
      return;
    }
    await mkdir(this.options.dir, { recursive: true });
    const target = this.segmentPath(seg.firstSeq);
    try {
      await stat(target);
      throw new DataCorruptedError(`both ${legacy} and ${target} exist: move one of them away`, { details: { file: legacy } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await rename(legacy, target);
    await fsyncDir(this.options.dir);
    await fsyncDir(dirname(legacy));
  }

  /** Source ids among `ids` already in the log. */
  private async existing(segs: readonly MarketLogSegment[], ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const confirmed = new Map<MarketLogSegment, Set<string>>();
    for (const id of ids) {
      const hash = sourceIdHash(id);
      // newest first: a redelivery is almost always of something recent
      for (let i = segs.length - 1; i >= 0; i--) {
        const seg = segs[i]!;
        const here = seg.mayContain(id, hash);
        if (here === false) continue;
        if (here === 'maybe') {
          let all = confirmed.get(seg);
          if (all === undefined) {
            all = await seg.sourceIds();
            confirmed.set(seg, all);
          }
          if (!all.has(id)) continue;
        }
        found.add(id);
        break;
      }
    }
    return found;
  }

  /**
   * Appends records continuing the log, starting a new segment whenever the last one is full (a
   * large batch is spread over several, each part one fsync'd write: a crash keeps a prefix).
   */
  private async write(segs: MarketLogSegment[], records: readonly MarketEventRecord[]): Promise<void> {
    if (records.length === 0) return;
    const lines = records.map((r) => `${JSON.stringify(r)}\n`);
    try {
      for (let from = 0; from < records.length; ) {
        let last = segs[segs.length - 1];
        if (last === undefined || last.validBytes >= this.maxSegmentBytes) {
          if (last === undefined) {
            await mkdir(this.options.dir, { recursive: true });
            await fsyncDir(dirname(this.options.dir));
          } else {
            await last.dropTornTail();
            last.seal();
          }
          last = MarketLogSegment.create(this.segmentPath(records[from]!.seq), records[from]!.seq);
          segs.push(last);
        }
        // as many as fit (at least one)
        let to = from;
        for (let bytes = last.validBytes; to < records.length && (to === from || bytes < this.maxSegmentBytes); to++) bytes += Buffer.byteLength(lines[to]!, 'utf8');
        await last.append(records.slice(from, to), lines.slice(from, to));
        from = to;
      }
    } catch (err) {
      this.forget();
      throw err;
    }
    for (const r of records) this.recent.push(r);
    if (this.recent.length > this.recentCacheSize) this.recent.splice(0, this.recent.length - this.recentCacheSize);
  }

  /**
   * The records `range` picks, given where the log starts and ends, from the recent cache or the
   * files. The range is picked again when the read has to start over.
   */
  private async readRange(range: (firstSeq: number, lastSeq: number) => { from: number; n: number }): Promise<MarketEventRecord[]> {
    for (let attempt = 1; ; attempt++) {
      const segs = await this.loaded();
      if (segs.length === 0) return [];
      const { from, n } = range(segs[0]!.firstSeq, lastSeqOf(segs));
      if (n <= 0) return [];
      const cachedFrom = this.recent[0]?.seq;
      if (cachedFrom !== undefined && from >= cachedFrom) return this.recent.slice(from - cachedFrom, from - cachedFrom + n);
      // the plan is made at once (segment objects and their line ranges), the reading after
      const parts: Array<{ seg: MarketLogSegment; from: number; to: number }> = [];
      let seq = from;
      let left = n;
      for (let i = indexOfSegment(segs, seq); i < segs.length && left > 0; i++) {
        const seg = segs[i]!;
        const start = seq - seg.firstSeq;
        const to = Math.min(seg.count, start + left);
        parts.push({ seg, from: start, to });
        left -= to - start;
        seq += to - start;
      }
      try {
        const out: MarketEventRecord[] = [];
        for (const p of parts) for (const r of await p.seg.read(p.from, p.to)) out.push(r);
        if (!parts.some((p) => p.seg.retired)) return out;
      } catch (err) {
        if (!parts.some((p) => p.seg.retired)) throw err;
      }
      if (attempt >= MAX_READ_ATTEMPTS) throw new Error(`reading the market log of ${this.options.symbol} kept overlapping prunes`);
      if (this.pruning !== null) await this.pruning;
    }
  }
}

function lastSeqOf(segs: readonly MarketLogSegment[]): number {
  return segs[segs.length - 1]?.lastSeq ?? 0;
}

/** index of the segment holding `seq` (segments are in seq order), 0 when before the first */
function indexOfSegment(segs: readonly MarketLogSegment[], seq: number): number {
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segs[mid]!.firstSeq <= seq) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
