import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataCorruptedError } from '../errors.js';
import { JsonStrategyStore } from './json-strategy-store.js';
import type { StrategyRecord, TradeRecord } from './strategy-store.js';

function trade(n: number, time = n * 1000): TradeRecord {
  return {
    strategyId: 'demo',
    tradeId: `t${n}`,
    orderId: `o${n}`,
    symbol: 'BTCUSDT',
    side: 'buy',
    quantity: '0.5',
    price: '60000.25',
    fee: '0.03',
    realizedPnl: '0',
    reason: 'rule',
    time,
  };
}

const record: StrategyRecord = {
  id: 'demo',
  name: 'Demo',
  configName: 'demo.yaml',
  configYaml: 'name: Demo\n',
  symbol: 'BTCUSDT',
  status: 'running',
  error: null,
  initialCash: '1000',
  createdAt: 1,
  updatedAt: 1,
};

describe('JsonStrategyStore files', () => {
  let dataDir: string;
  let store: JsonStrategyStore;
  const dir = () => join(dataDir, 'strategies', 'demo');

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'btc-json-store-'));
    store = new JsonStrategyStore({ dataDir });
  });
  afterEach(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("uses the plan's layout and leaves no temp files", async () => {
    await store.upsertStrategy(record);
    await store.saveState({
      strategyId: 'demo', time: 1, cash: '1', equity: '1', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0',
      unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: 0, core: null,
    });
    await store.appendTrades('demo', [trade(1)]);
    await store.savePositions('demo', []);
    await store.appendEquity('demo', [{ time: 1, equity: '1' }]);
    expect((await readdir(dir())).sort()).toEqual(['config.yaml', 'equity.jsonl', 'positions.json', 'state.json', 'strategy.json', 'trades.jsonl']);
    expect(await readFile(join(dir(), 'config.yaml'), 'utf8')).toBe('name: Demo\n');
    const stored = JSON.parse(await readFile(join(dir(), 'strategy.json'), 'utf8')) as Record<string, unknown>;
    expect(stored).not.toHaveProperty('configYaml');
    expect(stored['status']).toBe('running');
    expect(await readFile(join(dir(), 'trades.jsonl'), 'utf8')).toBe(`${JSON.stringify(trade(1))}\n`);
  });

  it('ignores a torn last JSONL line on read and repairs it on the next append', async () => {
    await store.upsertStrategy(record);
    await store.appendTrades('demo', [trade(1), trade(2)]);
    const file = join(dir(), 'trades.jsonl');
    const torn = JSON.stringify(trade(3)).slice(0, 40);
    await appendFile(file, torn); // crash in the middle of writing trade 3

    const reader = new JsonStrategyStore({ dataDir });
    expect(await reader.countTrades('demo')).toBe(2);
    expect((await reader.listTrades('demo', { limit: 10 })).items.map((t) => t.tradeId)).toEqual(['t2', 't1']);

    await reader.appendTrades('demo', [trade(3), trade(4)]);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as TradeRecord).tradeId)).toEqual(['t1', 't2', 't3', 't4']);
    expect(await store.countTrades('demo')).toBe(4); // another instance sees the change
  });

  it('repairs a torn equity line the same way', async () => {
    await store.appendEquity('demo', [{ time: 1, equity: '10' }]);
    await appendFile(join(dir(), 'equity.jsonl'), '{"time":2,"equ');
    const reader = new JsonStrategyStore({ dataDir });
    expect(await reader.listEquity('demo', 0, 10)).toEqual([{ time: 1, equity: '10' }]);
    await reader.appendEquity('demo', [{ time: 2, equity: '11' }]);
    expect(await readFile(join(dir(), 'equity.jsonl'), 'utf8')).toBe('{"time":1,"equity":"10"}\n{"time":2,"equity":"11"}\n');
  });

  it('reports a corrupt complete line with its file and line number instead of dropping data', async () => {
    await store.appendTrades('demo', [trade(1)]);
    await appendFile(join(dir(), 'trades.jsonl'), 'garbage\n');
    await store.appendTrades('demo', []); // no-op
    const reader = new JsonStrategyStore({ dataDir });
    const err = await reader.countTrades('demo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataCorruptedError);
    expect((err as Error).message).toContain('trades.jsonl:2');
    await expect(reader.appendTrades('demo', [trade(2)])).rejects.toBeInstanceOf(DataCorruptedError);
    expect((await readFile(join(dir(), 'trades.jsonl'), 'utf8')).split('\n')).toHaveLength(3);
  });

  it('reports a corrupt JSON document naming the file', async () => {
    await store.upsertStrategy(record);
    await writeFile(join(dir(), 'state.json'), '{"strategyId": "demo", "cash": ');
    await expect(store.loadState('demo')).rejects.toThrow(/state\.json/);
    await writeFile(join(dir(), 'positions.json'), '[{"strategyId":"demo"}]');
    await expect(store.loadPositions('demo')).rejects.toBeInstanceOf(DataCorruptedError);
  });

  it('is not confused by a temp file left by a crash during an atomic write', async () => {
    await store.upsertStrategy(record);
    await writeFile(join(dir(), '.strategy.json.999.deadbeef.tmp'), '{"half":');
    expect(await store.getStrategy('demo')).toEqual(record);
    expect((await store.listStrategies()).map((s) => s.id)).toEqual(['demo']);
    const updated = { ...record, status: 'stopped' as const, updatedAt: 2 };
    await store.upsertStrategy(updated);
    expect(await new JsonStrategyStore({ dataDir }).getStrategy('demo')).toEqual(updated);
  });

  it('does not rewrite config.yaml when only the record changes', async () => {
    await store.upsertStrategy(record);
    const before = await stat(join(dir(), 'config.yaml'));
    await store.upsertStrategy({ ...record, status: 'stopped', updatedAt: 5 });
    const after = await stat(join(dir(), 'config.yaml'));
    expect(after.ino).toBe(before.ino);
    await store.upsertStrategy({ ...record, configYaml: 'name: Changed\n', updatedAt: 6 });
    expect(await readFile(join(dir(), 'config.yaml'), 'utf8')).toBe('name: Changed\n');
  });

  it('skips directories without a strategy record when listing', async () => {
    await store.appendEquity('orphan', [{ time: 1, equity: '1' }]);
    await store.upsertStrategy(record);
    expect((await store.listStrategies()).map((s) => s.id)).toEqual(['demo']);
  });

  it('exports each strategy as of a moment no write touched it, while another process keeps writing', async () => {
    // the running system is another process: a second store over the same directory writes batches
    // (trades first, the state last, as the paper-trader does) while this one exports
    const writer = new JsonStrategyStore({ dataDir });
    await writer.upsertStrategy(record);
    let n = 0;
    let isWriting = true;
    const writing = (async () => {
      while (isWriting) {
        n += 1;
        await writer.persistEffects('demo', { trades: [trade(n)], equity: [{ time: n * 1000, equity: String(n) }], state: { strategyId: 'demo', time: n * 1000, cash: String(n), equity: String(n), positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: n, core: null } });
        // the paper trader writes once per market event, not in a tight loop: a pause between batches
        // leaves the quiet moments an export waits for, also on a loaded CI machine (5 ms did not:
        // every export then used all its retries and the test ran past its time)
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      for (let round = 0; round < 5 || n < 30; round++) {
        const exported = [];
        for await (const r of store.exportData()) exported.push(r);
        const trades = exported.flatMap((r) => (r.kind === 'trades' ? r.trades.map((t) => t.tradeId) : []));
        const stateCount = exported.flatMap((r) => (r.kind === 'state' ? [r.state.tradeCount] : []))[0] ?? 0;
        // no torn or missing line: the trades are a whole prefix of what was written; and all files are
        // from one moment: at most the one batch being written (its trades, not yet its state) is ahead
        expect(trades).toEqual(Array.from({ length: trades.length }, (_, i) => `t${i + 1}`));
        expect(trades.length - stateCount).toBeGreaterThanOrEqual(0);
        expect(trades.length - stateCount).toBeLessThanOrEqual(1);
      }
    } finally {
      isWriting = false;
      await writing;
      await writer.close();
    }
    expect(n).toBeGreaterThanOrEqual(30);
  }, 120_000);
});
