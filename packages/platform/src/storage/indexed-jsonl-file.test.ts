import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataCorruptedError } from '../errors.js';
import { IndexedJsonlFile } from './indexed-jsonl-file.js';
import { parseStored, StoredEvent } from './validate.js';
import type { StrategyEventRecord } from './strategy-store.js';

const event = (seq: number, type = 'order.filled'): StrategyEventRecord => ({ strategyId: 's', seq, type, time: 1_000 + seq, data: { orderId: `s-o${seq}`, price: '65000.12' } });

describe('IndexedJsonlFile (histories kept on disk)', () => {
  let dir: string;
  let path: string;
  const open = () => new IndexedJsonlFile(path, (v, where) => parseStored(StoredEvent, v, where) as StrategyEventRecord, (e) => e.seq);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btc-indexed-jsonl-'));
    path = join(dir, 'events.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads records back by range and by key, also after a restart', async () => {
    const file = open();
    await file.load();
    for (let i = 0; i < 10; i++) await file.append(Array.from({ length: 50 }, (_, k) => event(i * 50 + k + 1)));
    expect(await file.read(100, 103)).toEqual([event(101), event(102), event(103)]);
    const again = open();
    expect(await again.load()).toBe(500);
    expect(again.isOrdered).toBe(true);
    expect(await again.readAt(again.indexesAfter(497, 10))).toEqual([event(498), event(499), event(500)]);
    expect(again.hasKey(250)).toBe(true);
    expect(again.hasKey(501)).toBe(false);
    expect(again.lowerBound(250)).toBe(249);
  });

  it('ignores a torn last line and cuts it off on the next append', async () => {
    await open().append([event(1)]);
    await appendFile(path, '{"strategyId":"s","seq":2,"ty');
    const file = open();
    expect(await file.load()).toBe(1);
    await file.append([event(2)]);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n`);
    const reread = open();
    await reread.load();
    expect(await reread.read(0, 5)).toEqual([event(1), event(2)]);
  });

  it('orders records by key when the file is not in key order, and sees a change made behind its back', async () => {
    await writeFile(path, [event(3), event(1), event(2, 'a'), event(2, 'b')].map((e) => `${JSON.stringify(e)}\n`).join(''));
    const file = open();
    await file.load();
    expect(file.isOrdered).toBe(false);
    expect((await file.readAt(file.indexesAfter(0, 10))).map((e) => [e.seq, e.type])).toEqual([[1, 'order.filled'], [2, 'a'], [2, 'b'], [3, 'order.filled']]);
    expect(file.hasKey(3)).toBe(true);
    await appendFile(path, `${JSON.stringify(event(9))}\n`);
    expect(await file.load()).toBe(5);
    expect((await file.readAt(file.indexesAfter(3, 10))).map((e) => e.seq)).toEqual([9]);
  });

  it('reports a complete line that is not a record as corruption, naming file and line', async () => {
    await writeFile(path, `${JSON.stringify(event(1))}\n{"strategyId":"s","seq":"two"}\n`);
    const err = await open().load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataCorruptedError);
    expect((err as Error).message).toContain(`${path}:2`);
  });
});
