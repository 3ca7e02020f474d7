import { stat } from 'node:fs/promises';
import { DataCorruptedError } from '../errors.js';
import { appendLines, forEachLine, readByteRange, scanLines } from './jsonl-lines.js';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function parseJsonLine(line: Buffer, path: string, lineNo: number): unknown {
  try {
    return JSON.parse(line.toString('utf8'));
  } catch (err) {
    throw new DataCorruptedError(`${path}:${lineNo} is not valid JSON`, { cause: err, details: { file: path, line: lineNo } });
  }
}

/**
 * An append-only JSON Lines file whose records stay on disk: in memory it keeps where each record
 * starts and one number per record (its key: a time, a seq), 16 bytes a record instead of the
 * parsed object (≈ 120–450 bytes), and reads records when asked. For histories that grow with
 * market time (a strategy's equity curve, its event log). Crash behaviour as JsonlFile: each append
 * is one fsync'd write; a torn last line is ignored on read and cut off by the next append; a
 * complete line that does not parse is corruption naming file and line. The index is rebuilt when
 * the file's size or mtime changes behind its back.
 */
export class IndexedJsonlFile<T> {
  private starts = new Float64Array(256);
  private keys = new Float64Array(256);
  private count_ = 0;
  /** keys never decrease in file order (then ranges are found by binary search) */
  private ordered = true;
  private validBytes = 0;
  private size = 0;
  private mtimeMs = -1;
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly parseItem: (value: unknown, where: string) => T,
    private readonly keyOf: (item: T) => number,
  ) {}

  /** Brings the index up to date with the file; returns the number of records. */
  load(): Promise<number> {
    return this.exclusive(() => this.refresh());
  }

  /** loads and appends change the index: one at a time */
  private exclusive<R>(op: () => Promise<R>): Promise<R> {
    const next = this.lock.then(op, op);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async refresh(): Promise<number> {
    let st;
    try {
      st = await stat(this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.reset();
      this.mtimeMs = 0;
      return 0;
    }
    if (st.size === this.size && st.mtimeMs === this.mtimeMs) return this.count_;
    this.reset();
    let lineNo = 0;
    const { validBytes, size } = await scanLines(this.path, (line, start) => {
      lineNo += 1;
      if (line.length === 0) return;
      const item = this.parseItem(parseJsonLine(line, this.path, lineNo), `${this.path}:${lineNo}`);
      this.push(start, this.keyOf(item));
    });
    this.validBytes = validBytes;
    this.size = size;
    this.mtimeMs = st.mtimeMs;
    this.ensureCapacity();
    this.starts[this.count_] = validBytes;
    return this.count_;
  }

  get count(): number {
    return this.count_;
  }

  get isOrdered(): boolean {
    return this.ordered;
  }

  keyAt(i: number): number {
    return this.keys[i]!;
  }

  /** index of the first record whose key is ≥ key (keys must be ordered) */
  lowerBound(key: number): number {
    let lo = 0;
    let hi = this.count_;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** index of the first record whose key is > key (keys must be ordered) */
  upperBound(key: number): number {
    let lo = 0;
    let hi = this.count_;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** true when a record has this key */
  hasKey(key: number): boolean {
    if (this.ordered) {
      const i = this.lowerBound(key);
      return i < this.count_ && this.keys[i] === key;
    }
    for (let i = 0; i < this.count_; i++) if (this.keys[i] === key) return true;
    return false;
  }

  /** Indexes of the records with key > `after`, by key (file order among equal keys), at most `limit`. */
  indexesAfter(after: number, limit: number): number[] {
    const n = Math.max(0, Math.floor(limit));
    if (this.ordered) {
      const from = this.upperBound(after);
      return Array.from({ length: Math.min(n, this.count_ - from) }, (_, i) => from + i);
    }
    const picked: number[] = [];
    for (let i = 0; i < this.count_; i++) if (this.keys[i]! > after) picked.push(i);
    return picked.sort((a, b) => this.keys[a]! - this.keys[b]! || a - b).slice(0, n);
  }

  /** Records [from, to) in file order. */
  async read(from: number, to: number): Promise<T[]> {
    const a = Math.max(0, from);
    const b = Math.min(this.count_, to);
    if (b <= a) return [];
    const start = this.starts[a]!;
    const buf = await readByteRange(this.path, start, this.starts[b]!);
    const out: T[] = [];
    forEachLine(buf, (line, at) => {
      const where = `${this.path}@${start + at}`;
      let value: unknown;
      try {
        value = JSON.parse(line.toString('utf8'));
      } catch (err) {
        throw new DataCorruptedError(`${where} is not valid JSON`, { cause: err, details: { file: this.path } });
      }
      out.push(this.parseItem(value, where));
    });
    return out;
  }

  /** The records at these indexes, in the order given (runs of consecutive indexes in one read). */
  async readAt(indexes: readonly number[]): Promise<T[]> {
    const out: T[] = [];
    for (let k = 0; k < indexes.length; ) {
      let end = k + 1;
      while (end < indexes.length && indexes[end] === indexes[end - 1]! + 1) end++;
      for (const item of await this.read(indexes[k]!, indexes[end - 1]! + 1)) out.push(item);
      k = end;
    }
    return out;
  }

  /** Appends items as lines (fsync'd), first cutting off a torn last line. Callers serialise appends. */
  append(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return this.exclusive(() => this.appendNow(items));
  }

  private async appendNow(items: readonly T[]): Promise<void> {
    await this.refresh();
    const lines = items.map((item) => `${JSON.stringify(item)}\n`);
    try {
      await appendLines(this.path, lines.join(''), this.validBytes, this.size);
    } catch (err) {
      this.mtimeMs = -1; // the append may or may not have landed: read the file again next time
      throw err;
    }
    let offset = this.validBytes;
    for (const [i, item] of items.entries()) {
      this.push(offset, this.keyOf(item));
      offset += Buffer.byteLength(lines[i]!, 'utf8');
    }
    this.ensureCapacity();
    this.starts[this.count_] = offset;
    this.validBytes = offset;
    const st = await stat(this.path);
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
    if (st.size !== offset) this.mtimeMs = -1; // someone else wrote too: read it again next time
  }

  private reset(): void {
    this.count_ = 0;
    this.ordered = true;
    this.validBytes = 0;
    this.size = 0;
    this.starts[0] = 0;
  }

  private push(start: number, key: number): void {
    this.ensureCapacity();
    if (this.count_ > 0 && key < this.keys[this.count_ - 1]!) this.ordered = false;
    this.starts[this.count_] = start;
    this.keys[this.count_] = key;
    this.count_ += 1;
  }

  /** room for one more record and the end offset */
  private ensureCapacity(): void {
    if (this.count_ + 1 < this.starts.length) return;
    const starts = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
  }
}
