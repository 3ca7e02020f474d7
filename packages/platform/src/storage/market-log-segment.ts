import { open } from 'node:fs/promises';
import { DataCorruptedError } from '../errors.js';
import { appendLines, forEachLine, readByteRange, scanLines } from './jsonl-lines.js';
import type { MarketEventRecord } from './strategy-store.js';
import { parseStored, StoredMarketEvent } from './validate.js';

/**
 * 32-bit FNV-1a over a string's UTF-16 code units: the 4-byte fingerprint a sealed segment keeps of
 * each source id instead of the string. A match is only a "maybe" and is confirmed against the file.
 */
export function sourceIdHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function parseLine(line: Buffer, where: string, file: string, lineNo: number): MarketEventRecord {
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch (err) {
    throw new DataCorruptedError(`${where} is not valid JSON`, { cause: err, details: { file, line: lineNo } });
  }
  return parseStored(StoredMarketEvent, value, where) as MarketEventRecord;
}

/** line starts are kept as 32-bit offsets */
const MAX_SEGMENT_FILE_BYTES = 0xffffffff;

/**
 * One file of a symbol's segmented market log: JSON Lines, one record per line, consecutive seqs.
 * In memory it keeps only an index, never the records: where each line starts (4 bytes a record)
 * and the source ids, exactly (a Set) while it is the segment being appended to, as sorted 4-byte
 * hashes once sealed. Records are read from the file on demand.
 */
export class MarketLogSegment {
  /** lineStarts[i] is where record i begins; lineStarts[count] is the end of the last whole line */
  private lineStarts: Uint32Array;
  private hashes: Uint32Array | null = null;
  private ids: Set<string> | null;
  /** set when a prune deleted or replaced the file: readers that used it start over */
  retired = false;

  private constructor(
    readonly path: string,
    public firstSeq: number,
    public count: number,
    lineStarts: Uint32Array,
    ids: Set<string>,
    /** bytes on disk, a torn last line included */
    public size: number,
    active: boolean,
  ) {
    this.lineStarts = lineStarts;
    this.ids = ids;
    if (!active) this.seal();
  }

  /** An empty segment about to receive its first records. */
  static create(path: string, firstSeq: number): MarketLogSegment {
    return new MarketLogSegment(path, firstSeq, 0, new Uint32Array(1024), new Set(), 0, true);
  }

  /**
   * Builds a segment's index from its file, checking every record (a complete line that is not a
   * valid record, or a seq out of order, is corruption naming file and line). Null when the file
   * holds no complete record.
   */
  static async scan(path: string, active: boolean): Promise<MarketLogSegment | null> {
    let starts: Uint32Array = new Uint32Array(1024);
    const ids = new Set<string>();
    let count = 0;
    let firstSeq = 0;
    let lineNo = 0;
    const { validBytes, size } = await scanLines(path, (line, start) => {
      lineNo += 1;
      if (line.length === 0) return;
      const where = `${path}:${lineNo}`;
      const record = parseLine(line, where, path, lineNo);
      if (count === 0) firstSeq = record.seq;
      else if (record.seq !== firstSeq + count) {
        throw new DataCorruptedError(`${where}: seq ${record.seq} does not follow seq ${firstSeq + count - 1}`, { details: { file: path, line: lineNo } });
      }
      if (start + line.length + 1 > MAX_SEGMENT_FILE_BYTES) throw new DataCorruptedError(`${path} is larger than a market log segment can be (4 GiB)`, { details: { file: path } });
      if (count + 1 >= starts.length) starts = grow(starts);
      starts[count] = start;
      count += 1;
      ids.add(record.sourceId);
    });
    if (count === 0) return null;
    starts[count] = validBytes;
    return new MarketLogSegment(path, firstSeq, count, starts, ids, size, active);
  }

  get lastSeq(): number {
    return this.firstSeq + this.count - 1;
  }

  /** bytes up to the end of the last complete record */
  get validBytes(): number {
    return this.lineStarts[this.count]!;
  }

  /** Keeps source ids as sorted hashes from now on: the segment takes no more records. */
  seal(): void {
    if (this.ids === null) return;
    const hashes = new Uint32Array(this.ids.size);
    let i = 0;
    for (const id of this.ids) hashes[i++] = sourceIdHash(id);
    this.hashes = hashes.sort();
    this.ids = null;
    this.lineStarts = this.lineStarts.slice(0, this.count + 1);
  }

  /** true: the id is here; false: it is not; 'maybe': a sealed segment's hash matches (check the file). */
  mayContain(sourceId: string, hash: number): boolean | 'maybe' {
    if (this.ids !== null) return this.ids.has(sourceId);
    const h = this.hashes!;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo < h.length && h[lo] === hash ? 'maybe' : false;
  }

  /** Every source id in the file (to settle a 'maybe'). */
  async sourceIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const r of await this.read(0, this.count)) ids.add(r.sourceId);
    return ids;
  }

  /** Records [from, to) of the segment (indexes, not seqs), read from the file. */
  async read(from: number, to: number): Promise<MarketEventRecord[]> {
    if (to <= from) return [];
    const start = this.lineStarts[from]!;
    const end = this.lineStarts[to]!;
    return this.readBytes(from, start, end);
  }

  /** The raw lines of records [from, count) (a prune keeps them as they are). */
  readRawFrom(from: number): Promise<Buffer> {
    return this.readRawRange(this.lineStarts[from]!, this.validBytes);
  }

  private async readBytes(from: number, start: number, end: number): Promise<MarketEventRecord[]> {
    const buf = await this.readRawRange(start, end);
    const out: MarketEventRecord[] = [];
    forEachLine(buf, (line, at) => {
      const index = from + out.length;
      const record = parseLine(line, `${this.path}@${start + at}`, this.path, index + 1);
      if (record.seq !== this.firstSeq + index) {
        throw new DataCorruptedError(`${this.path}@${start + at}: expected seq ${this.firstSeq + index}, found ${record.seq}`, { details: { file: this.path } });
      }
      out.push(record);
    });
    return out;
  }

  private readRawRange(start: number, end: number): Promise<Buffer> {
    return readByteRange(this.path, start, end);
  }

  /**
   * Appends records (consecutive seqs continuing this segment), given with their lines (JSON and a
   * newline each), as one write followed by fsync, first cutting off a torn last line a crash left.
   * The caller serialises appends.
   */
  async append(records: readonly MarketEventRecord[], lines: readonly string[]): Promise<void> {
    if (records.length === 0) return;
    if (this.ids === null) throw new Error(`market log segment ${this.path} is sealed`);
    await appendLines(this.path, lines.join(''), this.validBytes, this.size);
    if (this.count === 0) this.firstSeq = records[0]!.seq;
    let offset = this.validBytes;
    for (const [i, r] of records.entries()) {
      if (this.count + 1 >= this.lineStarts.length) this.lineStarts = grow(this.lineStarts);
      offset += Buffer.byteLength(lines[i]!, 'utf8');
      this.count += 1;
      this.lineStarts[this.count] = offset;
      this.ids.add(r.sourceId);
    }
    this.size = offset;
  }

  /** Cuts off a torn last line (before the segment is sealed: later appends go elsewhere). */
  async dropTornTail(): Promise<void> {
    if (this.size <= this.validBytes) return;
    const fh = await open(this.path, 'r+');
    try {
      await fh.truncate(this.validBytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.size = this.validBytes;
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
