import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DataCorruptedError } from '../errors.js';

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** fsyncs a directory so a rename or a newly created file inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces a file atomically: write a temp file in the same directory, fsync it, rename it over
 * the target, fsync the directory. A crash leaves either the old or the new content, never a mix.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

/** Reads and parses a JSON file; null when it does not exist; DataCorruptedError naming the file otherwise. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DataCorruptedError(`${path} is not valid JSON`, { cause: err, details: { file: path } });
  }
}

export async function readTextFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export interface JsonlSnapshot<T> {
  items: T[];
  /** bytes up to and including the last newline; anything after is a torn line from a crash */
  validBytes: number;
  size: number;
  mtimeMs: number;
}

/**
 * An append-only JSON Lines file. Each append is one write of whole lines followed by fsync. A
 * crash can leave a torn last line (no trailing newline): reads ignore it and the next append
 * truncates it away before writing. A complete line that does not parse is corruption and throws.
 * Parsed content is cached and re-read only when the file's size or mtime changes.
 */
export class JsonlFile<T> {
  private cache: JsonlSnapshot<T> | null = null;

  constructor(
    readonly path: string,
    private readonly parseItem: (value: unknown, where: string) => T,
  ) {}

  async load(): Promise<JsonlSnapshot<T>> {
    let st;
    try {
      st = await stat(this.path);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.cache = { items: [], validBytes: 0, size: 0, mtimeMs: 0 };
      return this.cache;
    }
    if (this.cache && this.cache.size === st.size && this.cache.mtimeMs === st.mtimeMs) return this.cache;
    const buf = await readFile(this.path);
    const validBytes = buf.lastIndexOf(0x0a) + 1;
    const items: T[] = [];
    const text = buf.subarray(0, validBytes).toString('utf8');
    let lineNo = 0;
    for (const line of text.split('\n')) {
      lineNo += 1;
      if (line.trim() === '') continue;
      const where = `${this.path}:${lineNo}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new DataCorruptedError(`${where} is not valid JSON`, { cause: err, details: { file: this.path, line: lineNo } });
      }
      items.push(this.parseItem(value, where));
    }
    this.cache = { items, validBytes, size: buf.length, mtimeMs: st.mtimeMs };
    return this.cache;
  }

  /** Appends items as lines (fsync'd), first cutting off a torn last line. Callers serialise appends. */
  async append(newItems: readonly T[]): Promise<void> {
    if (newItems.length === 0) return;
    const snapshot = await this.load();
    const isNew = snapshot.size === 0;
    const text = newItems.map((item) => `${JSON.stringify(item)}\n`).join('');
    const fh = await open(this.path, 'a+', 0o644);
    try {
      if (snapshot.size > snapshot.validBytes) await fh.truncate(snapshot.validBytes);
      await fh.appendFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (isNew) await fsyncDir(dirname(this.path));
    const st = await stat(this.path);
    // extended in place: copying the cached items on every append made long files quadratic
    for (const item of newItems) snapshot.items.push(item);
    this.cache = { items: snapshot.items, validBytes: snapshot.validBytes + Buffer.byteLength(text, 'utf8'), size: st.size, mtimeMs: st.mtimeMs };
    if (st.size !== this.cache.validBytes) this.cache = null; // someone else wrote too: re-read next time
  }

  /** Replaces the whole file with `items` (atomically: the old content or the new, never a mix). */
  async rewrite(items: readonly T[]): Promise<void> {
    await writeFileAtomic(this.path, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
    this.cache = null;
  }
}
