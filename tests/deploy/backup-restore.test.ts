/**
 * Backup and restore on both stores, as an operator does it: `btc-research backup` runs (as its
 * own process) while the paper-trader trades on market data streaming in through Redis; then the
 * store is wiped, `btc-research restore` brings the backup back, and the paper-trader restarts on
 * it. Checked: the restore refuses a store that holds data; the restored store holds exactly what
 * the backup holds; and after the restart, fed the same market data (as the stream-manager's
 * backfill would), every strategy ends with exactly the trades, orders, balances and positions of
 * the run that was never interrupted (which equals the backtest over the same candles).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candle } from '@btc-research/engine';
import { createBus, createLogger, readBackupFile, waitFor, type BackupRecord, type MessageBus, type StrategyStore } from '@btc-research/platform';
import { repoRoot, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { simulatedCandles } from '../helpers/simulated-klines.js';
import { allOrders, allTrades, backtest, canonicalDecimal, deleteStreams, demoRunDir, makeBackend, removeRun, publishCandles, storedTradeRow, tradeRow, uniqueSymbol, type Backend, type StrategyFile } from '../integration/paper-trader.harness.js';

/** a Redis database of this file's own; streams are named after a symbol unique to each run */
const REDIS_URL = 'redis://127.0.0.1:6379/13';
const CANDLES = 1_200;

function cli(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'packages', 'cli', 'src', 'main.ts'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** What a strategy's account is: trades, orders, balances and positions, comparable across stores. */
async function account(store: StrategyStore, id: string) {
  const state = (await store.loadState(id))!;
  return {
    trades: (await allTrades(store, id)).map(storedTradeRow),
    orders: (await allOrders(store, id)).map((o) => [o.orderId, o.type, o.status, canonicalDecimal(o.filledQty), canonicalDecimal(o.fees), o.reason]),
    balances: [state.cash, state.equity, state.positionQty, state.avgEntryPrice, state.realizedPnl, state.feesPaid].map(canonicalDecimal),
    tradeCount: state.tradeCount,
    positions: (await store.loadPositions(id)).map((p) => [p.symbol, canonicalDecimal(p.quantity), canonicalDecimal(p.averagePrice)]),
  };
}

async function untilProcessed(store: StrategyStore, strategies: readonly StrategyFile[], lastClose: number): Promise<void> {
  for (const s of strategies) {
    await waitFor(async () => (await store.loadState(s.id))?.lastCandleCloseTime === lastClose, { timeoutMs: 120_000, intervalMs: 100, what: `${s.id} to process every candle` });
  }
}

describe.each(['json', 'postgres'] as const)('backup while trading, wipe, restore, restart: %s store', (backendName) => {
  let dir: string;
  let strategies: StrategyFile[];
  let candles: Candle[];
  let bus: MessageBus;
  const redis = new Redis(REDIS_URL);
  const { base, symbol } = uniqueSymbol();

  beforeAll(async () => {
    ({ dir, strategies } = await demoRunDir(`btc-backup-${backendName}-`, base));
    candles = simulatedCandles(CANDLES, 4242);
    bus = createBus({ redisUrl: REDIS_URL, logger: createLogger('backup-test', { level: 'silent' }) });
  });
  afterAll(async () => {
    await bus.close();
    await removeRun(redis, symbol, dir);
  });

  it('restores exactly what was backed up, and the restarted trader ends where the uninterrupted run ended', async () => {
    const backend: Backend = await makeBackend(backendName, path.join(dir, 'data'));
    const env = { ...backend.env, REDIS_URL, CONFIG_DIR: path.join(dir, 'config'), AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: `backup-${backendName}`, LEASE_TTL_MS: '3000', SNAPSHOT_INTERVAL_MS: '200', LOG_LEVEL: 'warn' };
    const file = path.join(dir, `backup-${backendName}.jsonl.gz`);
    const lastClose = candles[candles.length - 1]!.closeTime;
    let trader: ServiceProcess | null = startServiceProcess('paper-trader', env);
    let store: StrategyStore | null = null;
    try {
      // market data streams in; from half-way on it trickles (as live data does) until the backup,
      // taken meanwhile, is done, so the strategies trade while it runs
      let published = 0;
      let isBackupDone = false;
      const publisher = (async () => {
        while (published < candles.length) {
          const isTrickling = published >= candles.length / 2 && !isBackupDone;
          const chunk = candles.slice(published, published + (isTrickling ? 2 : 40));
          await publishCandles(bus, symbol, chunk);
          published += chunk.length;
          await new Promise((r) => setTimeout(r, isTrickling ? 200 : 100));
        }
      })();
      store = await backend.open();
      const observer = store;
      await waitFor(async () => published >= candles.length / 2 && (await observer.countTrades(strategies[0]!.id)) > 0, { timeoutMs: 120_000, intervalMs: 100, what: 'trading half-way' });
      const backup = await cli(['backup', '--out', file], backend.env);
      isBackupDone = true;
      expect(backup.code, backup.output).toBe(0);
      expect(backup.output).toMatch(/written to .* 2 strategies, [\d,]+ trades/);
      await publisher;
      await untilProcessed(store, strategies, lastClose);
      const uninterrupted = new Map<string, Awaited<ReturnType<typeof account>>>();
      for (const s of strategies) uninterrupted.set(s.id, await account(store, s.id));
      await store.close();
      store = null;
      expect(await trader.stop()).toBe(0);
      trader = null;

      // a store that holds data is refused, and left as it was
      const refused = await cli(['restore', file], backend.env);
      expect(refused.code, refused.output).toBe(1);
      expect(refused.output).toContain('is not empty');

      // wipe, restore
      if (backendName === 'json') await fs.rm(path.join(dir, 'data'), { recursive: true, force: true });
      else await backend.dispose();
      const restored = await cli(['restore', file], backend.env);
      expect(restored.code, restored.output).toBe(0);

      // the restored store holds exactly the backup, which is a moment in the middle of the run
      const records: BackupRecord[] = [];
      for await (const r of readBackupFile(file)) records.push(r);
      store = await backend.open();
      for (const s of strategies) {
        const backedUp = records.flatMap((r) => (r.kind === 'trades' && r.strategyId === s.id ? r.trades : []));
        const now = await allTrades(store, s.id);
        expect(now).toEqual(backedUp);
        const state = records.find((r): r is Extract<BackupRecord, { kind: 'state' }> => r.kind === 'state' && r.strategyId === s.id)!.state;
        expect(await store.loadState(s.id)).toEqual(state);
        const final = uninterrupted.get(s.id)!;
        expect(final.trades.slice(0, backedUp.length)).toEqual(backedUp.map(storedTradeRow));
        expect(backedUp.length).toBeLessThan(final.trades.length);
      }
      const marketInBackup = records.reduce((n, r) => n + (r.kind === 'market' ? r.events.length : 0), 0);
      expect(marketInBackup).toBeGreaterThan(0);
      expect(marketInBackup).toBeLessThan(CANDLES);

      // restart on the restored store; the market data after the backup arrives again (the
      // stream-manager's backfill), so the log continues and the strategies resume
      await deleteStreams(redis, symbol);
      trader = startServiceProcess('paper-trader', env);
      await publishCandles(bus, symbol, candles);
      await untilProcessed(store, strategies, lastClose);
      for (const s of strategies) {
        const after = await account(store, s.id);
        expect(after).toEqual(uninterrupted.get(s.id));
        const expected = backtest(s, candles);
        expect(after.trades.map((row) => row.map((x) => (typeof x === 'string' ? canonicalDecimal(x) : x)))).toEqual(
          expected.trades.map(tradeRow).map((row) => row.map((x) => (typeof x === 'string' ? canonicalDecimal(x) : x))),
        );
      }
      expect(await trader.stop()).toBe(0);
      trader = null;
    } finally {
      await trader?.stop('SIGKILL');
      await store?.close();
      await backend.dispose();
    }
  }, 420_000);
});
