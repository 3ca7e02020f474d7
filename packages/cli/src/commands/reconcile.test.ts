import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecordedInput, simulatedMinuteCandles } from '@btc-research/engine';
import { JsonStrategyStore } from '@btc-research/platform';
import { runCli } from '../cli.js';

const YAML = `name: "RSI"
symbol: "BTC/USDT"
timeframes: { entry: "1m" }
indicators: [{ id: "RSI_14", type: "RSI", timeframe: "1m", length: 14 }]
logic: { entry_long: ["RSI_14 < 30"], exit_long: ["RSI_14 > 70"] }
backtest: { cash: 10000, commission: 0.001 }
`;

describe('btc-research reconcile: refusals', () => {
  let dir: string;
  const run = async (...argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    const code = await runCli(['reconcile', ...argv], { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, cwd: dir, env: { DATA_DIR: path.join(dir, 'data') } });
    return { code, ...out };
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-reconcile-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('shows the usage for a missing id or a bad window (exit 2)', async () => {
    expect(await run()).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: btc-research reconcile <strategyId>') as unknown });
    expect(await run('x', '--from', 'tomorrow')).toMatchObject({ code: 2, stderr: expect.stringContaining('--from "tomorrow" is not a date') as unknown });
    expect(await run('x', '--from', '2025-01-02', '--to', '2025-01-01')).toMatchObject({ code: 2, stderr: expect.stringContaining('must be after --from') as unknown });
  });

  it('says when a strategy does not exist, and when the log it ran on was pruned (exit 1)', async () => {
    expect(await run('ghost')).toMatchObject({ code: 1, stderr: 'reconcile: strategy "ghost" does not exist\n' });
    const store = new JsonStrategyStore({ dataDir: path.join(dir, 'data') });
    const candles = simulatedMinuteCandles(60, 3);
    await store.upsertStrategy({ id: 'rsi', name: 'RSI', configName: 'rsi.yaml', configYaml: YAML, symbol: 'BTCUSDT', status: 'stopped', error: null, initialCash: '10000', createdAt: 0, updatedAt: 0 });
    await store.appendMarketEvents('BTCUSDT', candles.map((c) => ({ ...encodeRecordedInput({ kind: 'candle', candle: c }), sourceId: `candle:${c.openTime}` })));
    await store.saveState({ strategyId: 'rsi', time: 0, cash: '10000', equity: '10000', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: 0, core: { tradingStartTime: 0, marketSeq: 60, run: 1, eventBase: 0 } });
    const ok = await run('rsi');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('(a) replay of the recorded log: identical (0 fills compared)');
    await store.pruneMarketEvents('BTCUSDT', 10);
    await store.close();
    expect(await run('rsi')).toMatchObject({ code: 1, stderr: 'reconcile: the market log of BTCUSDT before seq 11 was pruned (retention): strategy "rsi" cannot be replayed from its start\n' });
  });
});
