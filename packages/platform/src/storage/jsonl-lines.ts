import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataCorruptedError } from '../errors.js';
import { fsyncDir } from './atomic-file.js';

const READ_CHUNK = 1 << 20;

/**
 * Calls `onLine` with every complete line of a file (without its newline) and where it starts,
 * reading it in chunks so a file of any size is scanned in bounded memory. Returns the bytes up to
 * and including the last newline, and the file's size (anything between is a torn last line).
 */
export async function scanLines(path: string, onLine: (line: Buffer, start: number) => void): Promise<{ validBytes: number; size: number }> {
  const fh = await open(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let carryStart = 0;
    let position = 0;
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, READ_CHUNK, position);
      if (bytesRead === 0) break;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const dataStart = carry.length > 0 ? carryStart : position;
      position += bytesRead;
      let lineStart = 0;
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, lineStart)) {
        onLine(data.subarray(lineStart, nl), dataStart + lineStart);
        lineStart = nl + 1;
      }
      // the rest (a line not finished in this chunk) is copied: the chunk buffer is reused
      carry = Buffer.from(data.subarray(lineStart));
      carryStart = dataStart + lineStart;
    }
    return { validBytes: position - carry.length, size: position };
  } finally {
    await fh.close();
  }
}

/** Bytes [start, end) of a file; a file shorter than that is corruption (an index that does not fit it). */
export async function readByteRange(path: string, start: number, end: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    if (bytesRead !== buf.length) throw new DataCorruptedError(`${path} is shorter than its index (${start + bytesRead} < ${end} bytes)`, { details: { file: path } });
    return buf;
  } finally {
    await fh.close();
  }
}

/** Calls `onLine` with each non-empty line of a buffer of whole lines, and where it starts in it. */
export function forEachLine(buf: Buffer, onLine: (line: Buffer, start: number) => void): void {
  let lineStart = 0;
  for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, lineStart)) {
    if (nl > lineStart) onLine(buf.subarray(lineStart, nl), lineStart);
    lineStart = nl + 1;
  }
}

/**
 * Appends whole lines to an append-only JSON Lines file as one write followed by fsync, first
 * cutting off a torn last line a crash left (`size` > `validBytes`); a new file's directory entry
 * is made durable too. Callers serialise appends to a file.
 */
export async function appendLines(path: string, text: string, validBytes: number, size: number): Promise<void> {
  const fh = await open(path, 'a+', 0o644);
  try {
    if (size > validBytes) await fh.truncate(validBytes);
    await fh.appendFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  if (size === 0) await fsyncDir(dirname(path));
}
