import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReconcileReportDto } from '@btc-research/contracts';
import { Decimal, encodeRecordedInput, toDecimalString } from '@btc-research/engine';
import { waitFor } from '@btc-research/platform';
import { runCli } from '../../packages/cli/src/cli.js';
import { simulatedMarketInputs } from '../../packages/engine/src/market/testing/simulated-market-inputs.js';
import { freePort, repoRoot, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { makeBackend, type Backend } from './paper-trader.harness.js';

// The show test of the reconciliation report (issue 13, deliverable 2): a two-hour simulated run
// (the seeded market simulator's trades, books and candles) traded by the paper-trader process from
// its market log, then reconciled through the API and the CLI from the store alone.
const START = Date.UTC(2025, 0, 6);
const MINUTES = 145;
/** the paper-trader's own maker rate (its resting take-profit limits fill as maker): the report must replay with it */
const MAKER = '0.0002';
const WINDOW = { from: START + 25 * 60_000, to: START + MINUTES * 60_000 };

describe.each(['json', 'postgres'] as const)('reconciliation of a two-hour simulated paper run: %s store', (backendName) => {
  let dir: string;
  let backend: Backend;
  const procs: ServiceProcess[] = [];
  let apiUrl: string | null = null;
  let report: ReconcileReportDto;
  let makerFills = 0;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'btc-reconcile-'));
    const demo = await fs.readFile(path.join(repoRoot, 'config', 'demo-ema-cross.yaml'), 'utf8');
    // the demo EMA cross on 1m bars with a stop and a target: enough round trips in two hours, and resting orders
    const yaml = `${demo.replaceAll('"5m"', '"1m"')}\nrisk_management:\n  stop_loss: { percent: 0.003 }\n  take_profit: { percent: 0.004, partial_exits: [{ level: 0.002, percent: 0.5 }] }\n`;
    await fs.mkdir(path.join(dir, 'config'));
    await fs.writeFile(path.join(dir, 'config', 'ema-1m.yaml'), yaml);
    // the market the stream-manager would have logged: trades, books and closed candles of the simulator
    const market = simulatedMarketInputs(MINUTES, 4242, START);
    backend = await makeBackend(backendName, path.join(dir, 'data'));
    const writer = await backend.open();
    await writer.appendMarketEvents('BTCUSDT', market.map((x, i) => ({ ...encodeRecordedInput(x), sourceId: `sim:${i}` })));
    await writer.close();

    const common = { ...backend.env, CONFIG_DIR: path.join(dir, 'config') };
    procs.push(startServiceProcess('paper-trader', { ...common, AUTO_START: 'true', AUTO_START_FROM: 'history', WORKER_NAME: `reconcile-${backendName}`, MAKER_COMMISSION: MAKER }));
    const store = await backend.open();
    try {
      await waitFor(async () => ((await store.loadState('ema-1m'))?.core as { marketSeq?: number } | undefined)?.marketSeq === market.length, { timeoutMs: 60_000, intervalMs: 100, what: 'paper trader through the two hours' });
      const fills = (await store.listTrades('ema-1m', { limit: 1000 })).items;
      makerFills = fills.filter((f) => f.liquidity === 'maker').length;
    } finally {
      await store.close();
    }
    if (backendName === 'postgres') {
      // the api-server reads PostgreSQL's public schema only (no DATABASE_SCHEMA): here the CLI reads the test's own schema
      const cli = cliIo(backend.env);
      expect(await runCli(['reconcile', 'ema-1m', '--from', String(WINDOW.from), '--to', new Date(WINDOW.to).toISOString(), '--json'], cli.io), cli.out.stderr).toBe(0);
      report = ReconcileReportDto.parse(JSON.parse(cli.out.stdout));
      return;
    }
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    procs.push(startServiceProcess('api-server', { ...common, API_PORT: String(port), API_HOST: '127.0.0.1' }));
    await waitFor(async () => (await fetch(`${apiUrl}/healthz`).catch(() => null))?.ok, { timeoutMs: 30_000, what: 'api-server health' });
    const res = await fetch(`${apiUrl}/api/v1/strategies/ema-1m/reconcile?from=${WINDOW.from}&to=${new Date(WINDOW.to).toISOString()}`);
    expect(res.status, await res.clone().text()).toBe(200);
    report = ReconcileReportDto.parse(await res.json());
  }, 120_000);

  afterAll(async () => {
    for (const p of procs.reverse()) await p.stop();
    await backend.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('(a) finds paper trading identical to the replay of its recorded log, event by event', () => {
    expect(report.window).toEqual(WINDOW);
    expect(report.inputs.books).toBeGreaterThan(100);
    expect(report.inputs.trades).toBeGreaterThan(100);
    expect(report.replay).toMatchObject({ identical: true, basis: 'events', firstDifference: null });
    // take-profit limits filled as maker at the paper-trader's MAKER_COMMISSION, and the replay used that rate
    expect(makerFills).toBeGreaterThan(0);
    expect(report.replay.compared).toBeGreaterThan(3 * report.inputs.paperFills);
  });

  it('(b) puts each round trip beside the candle-only backtest and attributes the whole PnL gap to computed causes', () => {
    const b = report.candleBacktest;
    expect(b.pairing.paired.length).toBeGreaterThanOrEqual(3);
    for (const { paper, backtest, pnlDiff } of b.pairing.paired) {
      expect(paper.side).toBe(backtest.side);
      expect(Math.abs(paper.entryTime - backtest.entryTime)).toBeLessThanOrEqual(b.pairing.toleranceMs);
      for (const t of [paper, backtest]) expect(t.entryTime >= WINDOW.from && t.exitTime <= WINDOW.to && t.exitTime > t.entryTime).toBe(true);
      expect(toDecimalString(new Decimal(paper.netPnl).minus(backtest.netPnl))).toBe(pnlDiff);
    }
    // paper fills at the book's ask/bid; the backtest at the candle open plus its modelled spread and slippage
    expect(b.pairing.paired.some((x) => x.paper.entryPrice !== x.backtest.entryPrice)).toBe(true);
    expect(b.pnl.gap).toBe(toDecimalString(new Decimal(b.pnl.paper).minus(b.pnl.backtest)));
    expect(b.pnl.gap).not.toBe('0');
    const a = b.attribution;
    const causes = [a.latency, a.spread, a.slippage, a.bookDepth, a.candlePath, a.unexplained].reduce((s, x) => s.plus(x), new Decimal(0));
    expect(toDecimalString(causes)).toBe(b.pnl.gap);
    expect(a.unexplained).toBe('0');
    // the backtest charges its 0.05 % slippage on every fill, which paper trading against books never pays
    expect(new Decimal(a.slippage).isPositive()).toBe(true);
  });

  it('(c) runs the window under the three fill models: optimistic ≥ realistic ≥ pessimistic, realistic being the candle backtest', () => {
    const [optimistic, realistic, pessimistic] = report.bands.models;
    expect(report.bands.models.map((m) => m.name)).toEqual(['optimistic', 'realistic', 'pessimistic']);
    expect(new Decimal(optimistic!.finalPnl).greaterThanOrEqualTo(realistic!.finalPnl)).toBe(true);
    expect(new Decimal(realistic!.finalPnl).greaterThan(pessimistic!.finalPnl)).toBe(true);
    expect(realistic!.finalPnl).toBe(report.candleBacktest.pnl.backtest);
    expect(report.bands.paper.finalPnl).toBe(report.candleBacktest.pnl.paper);
    for (const curve of [report.bands.paper.equity, ...report.bands.models.map((m) => m.equity)]) {
      expect(curve[0]![0]).toBe(WINDOW.from);
      expect(curve.at(-1)![0]).toBe(WINDOW.to);
    }
  });

  function cliIo(env: Record<string, string>) {
    const out = { stdout: '', stderr: '' };
    return { out, io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, cwd: dir, env } };
  }

  it('prints the same report from the CLI once paper trading has stopped (--json is the API contract), and refuses an unknown strategy and a bad window', async () => {
    await procs.find((p) => p.name === 'paper-trader')!.stop();
    const env = backend.env;
    const json = cliIo(env);
    expect(await runCli(['reconcile', 'ema-1m', '--from', String(WINDOW.from), '--to', String(WINDOW.to), '--json'], json.io)).toBe(0);
    expect(JSON.parse(json.out.stdout)).toEqual(report);
    const text = cliIo(env);
    expect(await runCli(['reconcile', 'ema-1m', '--from', String(WINDOW.from), '--to', String(WINDOW.to)], text.io)).toBe(0);
    expect(text.out.stdout).toContain('(a) replay of the recorded log: identical');
    expect(text.out.stdout).toContain(`gap ${Number(report.candleBacktest.pnl.gap).toFixed(2)}`);
    const missing = cliIo(env);
    expect(await runCli(['reconcile', 'no-such-strategy'], missing.io)).toBe(1);
    expect(missing.out.stderr).toContain('strategy "no-such-strategy" does not exist');

    if (apiUrl === null) return;
    const notFound = await fetch(`${apiUrl}/api/v1/strategies/no-such-strategy/reconcile`);
    expect(notFound.status).toBe(404);
    const bad = await fetch(`${apiUrl}/api/v1/strategies/ema-1m/reconcile?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'VALIDATION_FAILED' });
    const empty = await fetch(`${apiUrl}/api/v1/strategies/ema-1m/reconcile?from=2030-01-01`);
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^no recorded candle closes in the window 2030-01-01T00:00:00.000Z/) as unknown });
  }, 60_000);
});
