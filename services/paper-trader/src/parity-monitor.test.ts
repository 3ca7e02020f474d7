import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, NotificationEventV1, StreamRetention, Streams, StrategyParityCheckedV1, makeEnvelope, type Envelope } from '@btc-research/contracts';
import { simulatedMinuteCandles } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, createLogger, waitFor, type Subscription } from '@btc-research/platform';
import { ParityMonitor } from './parity-monitor.js';
import { startPaperTrader, type PaperTrader } from './service.js';
import { recordingLogger } from './testing/recording-logger.js';
import { testConfig } from './testing/test-config.js';
import { publishCandles } from './testing/candle-publishing.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', 'config');

async function requestCheck(bus: InProcessBus, strategyId: string, checkId: string): Promise<void> {
  await bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyParityCheck, id: `cmd-${checkId}`, source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId, checkId } }), StreamRetention.commands);
}

describe('parity monitor in the paper-trader (embedded: in-process bus, JSON files)', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;
  let listener: Subscription | null = null;
  const published: Envelope[] = [];

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-parity-'));
    published.length = 0;
    listener = bus.consume({ streams: [Streams.strategyEvents()], group: 'parity-test', consumer: 't', startAt: '0' }, (entries) => {
      for (const e of entries) published.push(e.envelope);
      return Promise.resolve();
    });
  });

  afterEach(async () => {
    await listener?.stop();
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  it('checks a trading strategy on schedule and on request: the replay of its log matches; a difference fails loudly', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'ema.yaml'), `${ema}\nrisk_management:\n  stop_loss: { percent: 0.004 }\n  take_profit: { percent: 0.008 }\n`);
    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config: testConfig(dir, { parityIntervalMs: 100 }), bus, store, logger });
    const candles = simulatedMinuteCandles(900, 7);
    await publishCandles(bus, 'BTCUSDT', candles);
    await waitFor(async () => (await store.loadState('ema'))?.lastCandleCloseTime === candles.at(-1)!.closeTime, { what: 'strategy at the last candle', timeoutMs: 20_000 });
    const state = (await store.loadState('ema'))!;
    const progress = state.core as { marketSeq: number; eventSeq: number };
    expect(state.tradeCount).toBeGreaterThan(2);

    // scheduled: checks chained from the log's start, each from where the previous passing one ended
    await waitFor(async () => (await store.listParityChecks('ema', 500)).some((c) => c.trigger === 'scheduled' && c.window.toSeq === progress.marketSeq), { what: 'a scheduled check to the end', timeoutMs: 20_000 });
    const scheduled = (await store.listParityChecks('ema', 500)).filter((c) => c.trigger === 'scheduled').reverse();
    expect(scheduled.every((c) => c.verdict === 'pass' && c.firstDivergence === undefined && c.compared.balances)).toBe(true);
    let covered = 0;
    for (const c of scheduled) {
      if (c.window.inputs === 0) continue;
      expect(c.window.fromSeq).toBe(covered + 1);
      covered = c.window.toSeq!;
    }
    expect(covered).toBe(progress.marketSeq);
    expect(scheduled[0]!.window.start).toBe('log-start');
    const events = (await store.listEvents('ema', 0, 100_000)).length;
    expect(scheduled.reduce((n, c) => n + c.compared.events, 0)).toBe(events);
    expect(scheduled.every((c) => c.maxIndicatorDeviation === 0)).toBe(true);

    // on request, through the bus: nothing new since the last check
    await requestCheck(bus, 'ema', 'req-1');
    await waitFor(async () => (await store.getParityCheck('ema', 'req-1')) !== null, { what: 'the requested check' });
    expect(await store.getParityCheck('ema', 'req-1')).toMatchObject({ trigger: 'on-demand', verdict: 'pass', window: { start: 'checkpoint' } });
    await waitFor(() => published.some((e) => e.type === MessageType.strategyParityChecked && (e.payload as { checkId: string }).checkId === 'req-1'), { what: 'the check published' });
    expect(StrategyParityCheckedV1.parse(published.find((e) => e.type === MessageType.strategyParityChecked)!.payload).strategyId).toBe('ema');
    // (other error lines, e.g. a lease lost on a loaded machine, are not this test's business)
    expect(lines.filter((l) => l.level === 'error' && l.msg.includes('parity'))).toEqual([]);

    // the stored account no longer matches what the inputs give: caught, logged at error level, raised as an alert
    await store.saveState({ ...state, cash: '12345.678' });
    await requestCheck(bus, 'ema', 'req-2');
    await waitFor(async () => (await store.getParityCheck('ema', 'req-2')) !== null, { what: 'the second requested check' });
    const failed = (await store.getParityCheck('ema', 'req-2'))!;
    expect(failed.verdict).toBe('fail');
    expect(failed.firstDivergence).toEqual({ at: candles.at(-1)!.closeTime, kind: 'balance', field: 'cash', paper: '12345.678', replay: state.cash, inputSeq: progress.marketSeq });
    expect(lines.find((l) => l.level === 'error' && l.fields['checkId'] === 'req-2')?.msg).toMatch(/parity check failed/);
    // (scheduled checks after the change fail too, each with an alert of its own id)
    const alertOf = (e: Envelope) => e.type === MessageType.notificationRaised && (e.payload as { id: string }).id === 'parity:ema:req-2';
    await waitFor(() => published.some(alertOf), { what: 'the alert' });
    const alert = NotificationEventV1.parse(published.find(alertOf)!.payload);
    expect(alert).toMatchObject({ id: 'parity:ema:req-2', type: 'parity.check.failed', strategyId: 'ema', data: { firstDivergence: { field: 'cash', paper: '12345.678', replay: state.cash } } });
    // after a failure the next check trusts no checkpoint: the whole log again, indicators included, and the same difference
    await requestCheck(bus, 'ema', 'req-3');
    await waitFor(async () => (await store.getParityCheck('ema', 'req-3')) !== null, { what: 'the third requested check' });
    const full = (await store.getParityCheck('ema', 'req-3'))!;
    expect(full).toMatchObject({ verdict: 'fail', window: { start: 'log-start', fromSeq: 1, toSeq: progress.marketSeq }, compared: { events, indicatorCheckpoints: 1 } });
    expect(full.firstDivergence).toEqual(failed.firstDivergence);
    // the history keeps them all, newest first (scheduled ones in between)
    const history = await store.listParityChecks('ema', 500);
    expect(history.filter((c) => c.trigger === 'on-demand').map((c) => c.checkId)).toEqual(['req-3', 'req-2', 'req-1']);
    expect(history[0]!.checkedAt).toBeGreaterThanOrEqual(full.checkedAt);
  });

  it('after retention cut the log, a check continues from its verified checkpoint; without one it says why it cannot run', async () => {
    const rsi = await fs.readFile(path.join(repoConfig, 'demo-rsi-mean-reversion.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'rsi.yaml'), rsi);
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(400, 3);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 300));
    await waitFor(async () => (await store.loadState('rsi'))?.lastCandleCloseTime === candles[299]!.closeTime, { what: 'first 300 candles', timeoutMs: 20_000 });
    await requestCheck(bus, 'rsi', 'a');
    await waitFor(async () => (await store.getParityCheck('rsi', 'a')) !== null, { what: 'check a' });
    expect(await store.getParityCheck('rsi', 'a')).toMatchObject({ verdict: 'pass', window: { start: 'log-start', fromSeq: 1, toSeq: 300 } });

    expect(await store.pruneMarketEvents('BTCUSDT', 200)).toBe(200);
    await publishCandles(bus, 'BTCUSDT', candles.slice(300));
    await waitFor(async () => (await store.loadState('rsi'))?.lastCandleCloseTime === candles[399]!.closeTime, { what: 'the other 100 candles', timeoutMs: 20_000 });
    await requestCheck(bus, 'rsi', 'b');
    await waitFor(async () => (await store.getParityCheck('rsi', 'b')) !== null, { what: 'check b' });
    expect(await store.getParityCheck('rsi', 'b')).toMatchObject({ verdict: 'pass', window: { start: 'checkpoint', fromSeq: 301, toSeq: 400, inputs: 100 }, compared: { balances: true } });

    // a new worker has no checkpoint, and the log's start is gone
    await trader.close();
    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger });
    await waitFor(async () => trader!.runners().has('rsi'), { what: 'rsi active again' });
    await requestCheck(bus, 'rsi', 'c');
    await waitFor(() => lines.some((l) => l.msg === 'parity check could not run' && l.fields['checkId'] === 'c'), { what: 'check c refused' });
    expect(String(lines.find((l) => l.fields['checkId'] === 'c')!.fields['reason'])).toMatch(/before seq 201 was pruned/);
    expect(await store.getParityCheck('rsi', 'c')).toBeNull();
  });

  it('a check that cannot be stored is logged at error level and never rejects (the command loop and trading go on)', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'ema.yaml'), ema);
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(200, 5);
    await publishCandles(bus, 'BTCUSDT', candles);
    await waitFor(async () => (await store.loadState('ema'))?.lastCandleCloseTime === candles.at(-1)!.closeTime, { what: 'the candles processed', timeoutMs: 20_000 });
    const broken = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'saveParityCheck') return () => Promise.reject(new Error('disk full'));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const { logger, lines } = recordingLogger();
    const monitor = new ParityMonitor({ store: broken, bus, logger, now: Date.now, worker: 'w', execution: undefined, intervalMs: 0, indicatorTolerance: 0.0001, chunkSize: 64, ownedIds: () => [] });
    await expect(monitor.request('ema', 'x')).resolves.toBeNull();
    expect(lines.find((l) => l.level === 'error' && l.fields['checkId'] === 'x')?.msg).toBe('parity check failed to run');
    await expect(monitor.request('ema', 'y')).resolves.toBeNull(); // the queue still works
    await monitor.stop();
  });

  it('replays with the execution settings the strategy ran with, even on a worker configured otherwise', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'ema.yaml'), `${ema}\nrisk_management:\n  stop_loss: { percent: 0.004 }\n  take_profit: { percent: 0.004 }\n`);
    trader = await startPaperTrader({ config: testConfig(dir, { makerCommission: '0.0002' }), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(900, 7);
    await publishCandles(bus, 'BTCUSDT', candles);
    await waitFor(async () => (await store.loadState('ema'))?.lastCandleCloseTime === candles.at(-1)!.closeTime, { what: 'the candles processed', timeoutMs: 20_000 });
    // resting take-profits filled as maker at the worker's maker rate: a replay at the taker rate would differ
    expect((await store.listTrades('ema', { limit: 1_000 })).items.some((t) => t.liquidity === 'maker')).toBe(true);
    const { logger } = recordingLogger();
    const elsewhere = new ParityMonitor({ store, bus, logger, now: Date.now, worker: 'other', execution: undefined, intervalMs: 0, indicatorTolerance: 0.0001, chunkSize: 64, ownedIds: () => [] });
    const check = await elsewhere.request('ema', 'elsewhere');
    await elsewhere.stop();
    expect(check).toMatchObject({ verdict: 'pass', worker: 'other', window: { start: 'log-start', fromSeq: 1 } });
  });

  it('a force exit paper trading made replays at the same point of the log: the check passes', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'ema.yaml'), ema);
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(600, 7);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 500));
    await waitFor(async () => (await store.loadState('ema'))?.lastCandleCloseTime === candles[499]!.closeTime, { what: '500 candles', timeoutMs: 20_000 });
    expect((await store.loadState('ema'))!.positionQty).not.toBe('0'); // always in the market: a position to close
    await bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyForceExit, id: 'fx-1', source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'ema', note: 'test' } }), StreamRetention.commands);
    await new Promise((r) => setTimeout(r, 300));
    await publishCandles(bus, 'BTCUSDT', candles.slice(500));
    await waitFor(async () => (await store.loadState('ema'))?.lastCandleCloseTime === candles.at(-1)!.closeTime, { what: 'the rest', timeoutMs: 20_000 });
    expect(((await store.loadState('ema'))?.core as { forcedExitsAfter?: number[] }).forcedExitsAfter).toHaveLength(1);
    await requestCheck(bus, 'ema', 'later');
    await waitFor(async () => (await store.getParityCheck('ema', 'later')) !== null, { what: 'the later check' });
    expect(await store.getParityCheck('ema', 'later')).toMatchObject({ verdict: 'pass', window: { start: 'log-start', fromSeq: 1 } });
  });
});
