import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataCorruptedError } from '../errors.js';
import { sourceIdHash } from './market-log-segment.js';
import { SegmentedMarketLog, type NewMarketEvent } from './segmented-market-log.js';

const event = (n: number, sourceId = `trade:${n}`): NewMarketEvent => ({ kind: 'trade', time: 1_700_000_000_000 + n, sourceId, data: { price: `${60_000 + n}.5`, quantity: '0.001' } });

/** Two different source ids with the same 32-bit FNV-1a hash (found by a birthday search over "book:<base-36>" ids). */
const COLLIDING_IDS = ['book:3xa7c6', 'book:1i83423'] as const;

describe('SegmentedMarketLog (the JSON store’s market log)', () => {
  let root: string;
  let dir: string;
  const open = (tuning: { maxSegmentBytes?: number; recentCacheSize?: number } = {}) =>
    new SegmentedMarketLog({ symbol: 'BTCUSDT', dir, legacyFile: join(root, 'BTCUSDT.jsonl'), maxSegmentBytes: 1_000, recentCacheSize: 4, ...tuning });
  const files = async () => (await readdir(dir)).sort();
  const seqs = async (log: SegmentedMarketLog) => (await log.list(0, 1_000_000)).map((e) => e.seq);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'btc-market-log-'));
    dir = join(root, 'BTCUSDT');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes segment files named by their first seq, a new one when the last is full, and reads across them', async () => {
    const log = open();
    for (let i = 0; i < 10; i++) await log.appendNew(Array.from({ length: 5 }, (_, k) => event(i * 5 + k + 1)));
    const names = await files();
    expect(names.length).toBeGreaterThan(3);
    expect(names[0]).toBe('0000000000000001.jsonl');
    // each file starts at the seq its name says and holds whole records only
    for (const name of names) {
      const lines = (await readFile(join(dir, name), 'utf8')).split('\n');
      expect(lines.pop()).toBe('');
      expect((JSON.parse(lines[0]!) as { seq: number }).seq).toBe(Number(name.slice(0, 16)));
    }
    expect(await seqs(log)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await log.list(17, 20)).map((e) => e.sourceId)).toEqual(Array.from({ length: 20 }, (_, i) => `trade:${18 + i}`));
    expect((await open().last(3)).map((e) => e.seq)).toEqual([48, 49, 50]);
  });

  it('recognises an id in a sealed segment exactly, also when another id has the same hash', async () => {
    const [a, b] = COLLIDING_IDS;
    expect(sourceIdHash(a)).toBe(sourceIdHash(b));
    const log = open();
    await log.appendNew([event(1, a), ...Array.from({ length: 30 }, (_, i) => event(i + 2))]);
    expect((await files()).length).toBeGreaterThan(1); // `a` is in a sealed segment now
    for (const l of [log, open()]) {
      const before = (await l.last(1))[0]!.seq;
      const added = await l.appendNew([event(900, a), event(901, b)]);
      if (l === log) expect(added.map((e) => [e.seq, e.sourceId])).toEqual([[before + 1, b]]);
      else expect(added).toEqual([]); // after a restart: both are there
    }
  });

  it('prunes whole segments and rewrites the one the cut falls in, keeping the rest as it was', async () => {
    const log = open();
    await log.appendNew(Array.from({ length: 60 }, (_, i) => event(i + 1)));
    const before = await log.list(0, 100);
    const filesBefore = await files();
    expect(await log.prune(23)).toBe(23);
    const after = await files();
    expect(after[0]).toBe('0000000000000024.jsonl');
    expect(after.length).toBeLessThan(filesBefore.length);
    expect(await log.list(0, 100)).toEqual(before.slice(23));
    expect(await open().list(0, 100)).toEqual(before.slice(23));
    // the cut at a segment's end leaves no rewrite behind
    const second = after[1]!;
    const upto = Number(second.slice(0, 16)) - 1;
    expect(await log.prune(upto)).toBe(upto - 23);
    expect((await files())[0]).toBe(second);
    expect((await seqs(open()))[0]).toBe(upto + 1);
  });

  it('recovers from a crash in the middle of a prune, an empty new segment and a torn last line', async () => {
    const log = open();
    await log.appendNew(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    const names = await files();
    // the copy of the segment being rewritten that a crash after the rewrite but before the
    // removal leaves behind, overlapping the rewritten one
    const straddled = names[1]!;
    const keep = join(root, 'stale.jsonl');
    await copyFile(join(dir, straddled), keep);
    const cut = Number(straddled.slice(0, 16)) + 2;
    await log.prune(cut);
    await copyFile(keep, join(dir, straddled));
    // a segment created just before the crash, and a torn line at the end of the last one
    await writeFile(join(dir, '0000000000000999.jsonl'), '');
    const last = (await files()).filter((n) => n !== '0000000000000999.jsonl').pop()!;
    await appendFile(join(dir, last), '{"symbol":"BTCUSDT","seq":41,"ki');
    const reopened = open();
    expect(await seqs(reopened)).toEqual(Array.from({ length: 40 - cut }, (_, i) => cut + 1 + i));
    expect(await files()).not.toContain(straddled);
    expect(await files()).not.toContain('0000000000000999.jsonl');
    expect((await reopened.appendNew([event(41)])).map((e) => e.seq)).toEqual([41]);
    expect((await open().last(2)).map((e) => e.sourceId)).toEqual(['trade:40', 'trade:41']);
  });

  it('refuses a log with a hole or a broken record, naming the file', async () => {
    const log = open();
    await log.appendNew(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    const names = await files();
    await rm(join(dir, names[1]!));
    const err = await open().list(0, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataCorruptedError);
    expect((err as Error).message).toContain('hole');
    await rm(root, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '0000000000000001.jsonl'), `${JSON.stringify({ symbol: 'BTCUSDT', seq: 1, ...event(1) })}\n{"seq": 2,\n`);
    const broken = await open().list(0, 10).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(DataCorruptedError);
    expect((broken as Error).message).toContain('0000000000000001.jsonl:2');
  });

  it('moves the one-file log of earlier versions in as its first segment', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `${JSON.stringify({ symbol: 'BTCUSDT', seq: i + 11, ...event(i + 11) })}\n`).join('');
    await writeFile(join(root, 'BTCUSDT.jsonl'), lines);
    const log = open();
    expect(await seqs(log)).toEqual(Array.from({ length: 30 }, (_, i) => i + 11));
    expect(await readdir(root)).not.toContain('BTCUSDT.jsonl');
    expect(await files()).toEqual(['0000000000000011.jsonl']);
    expect((await log.appendNew([event(12), event(41)])).map((e) => e.seq)).toEqual([41]);
    expect(await seqs(open())).toEqual(Array.from({ length: 31 }, (_, i) => i + 11));
  });

  it('answers reads that run while it prunes with the log as it was before or after, never a mix', async () => {
    const log = open({ maxSegmentBytes: 600 });
    await log.appendNew(Array.from({ length: 300 }, (_, i) => event(i + 1)));
    const reads: Array<Promise<number[]>> = [];
    const prunes: Array<Promise<number>> = [];
    for (let round = 1; round <= 10; round++) {
      for (let k = 0; k < 5; k++) reads.push(log.list(0, 400).then((page) => page.map((e) => e.seq)));
      prunes.push(log.prune(round * 25));
    }
    await Promise.all(prunes);
    for (const page of await Promise.all(reads)) {
      expect(page.length).toBeGreaterThan(0);
      expect(page[page.length - 1]).toBe(300);
      page.forEach((seq, i) => expect(seq).toBe(page[0]! + i));
      expect((page[0]! - 1) % 25).toBe(0);
    }
    expect((await seqs(log))[0]).toBe(251);
  });
});
