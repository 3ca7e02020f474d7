/**
 * Force exit over the bus: the running strategy closes its position with a market order through
 * its own core (reason `forced`), and a rebuild from the market log (no snapshot) reproduces it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { TradingCore, buildTradingSetup, compareEvents, simulatedMinuteCandles } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, createLogger, loadStrategyHistory, waitFor } from '@btc-research/platform';
import { startPaperTrader, type PaperTrader } from './service.js';
import { testConfig } from './testing/test-config.js';
import { publishCandles } from './testing/candle-publishing.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const holderYaml = path.join(import.meta.dirname, 'testing', 'holder.yaml');

describe('force exit', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-force-exit-'));
    await fs.copyFile(holderYaml, path.join(dir, 'config', 'holder.yaml'));
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  it('closes the open position at market with reason "forced", and a rebuild from the log does the same', async () => {
    const config = testConfig(dir, { snapshotIntervalMs: 3_600_000 });
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await waitFor(async () => trader!.runners().has('holder'), { what: 'holder active' });
    const candles = simulatedMinuteCandles(40, 3);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 20));
    await waitFor(async () => (await store.loadState('holder'))?.lastCandleCloseTime === candles[19]!.closeTime, { what: 'first candles' });
    const before = await store.loadState('holder');
    expect(Number(before!.positionQty)).toBeGreaterThan(0);

    await bus.publish(
      Streams.commands(),
      makeEnvelope({ type: MessageType.strategyForceExit, id: 'force-1', source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'holder' } }),
      StreamRetention.commands,
    );
    // the command is applied before the next input and its market order fills on an input after it:
    // candles go on arriving one by one until the forced fill is there
    let next = 20;
    const forced = await waitFor(
      async () => {
        const found = (await store.listTrades('holder', { limit: 50 })).items.find((t) => t.reason === 'forced');
        if (!found && next < 30) await publishCandles(bus, 'BTCUSDT', candles.slice(next, ++next));
        return found;
      },
      { what: 'a forced fill' },
    );
    expect(forced.side).toBe('sell');
    expect(forced.quantity).toBe(before!.positionQty);
    // the batch's orders are written after its trades
    const forcedOrder = await waitFor(async () => (await store.listOrders('holder', { limit: 50 })).find((o) => o.orderId === forced.orderId && o.status === 'filled'), { what: 'the forced order' });
    expect([forcedOrder?.type, forcedOrder?.reason, forcedOrder?.reduceOnly]).toEqual(['market', 'forced', true]);
    await publishCandles(bus, 'BTCUSDT', candles.slice(next));
    await waitFor(async () => (await store.loadState('holder'))?.lastCandleCloseTime === candles[39]!.closeTime, { what: 'all candles' });
    const trades = (await store.listTrades('holder', { limit: 50 })).items;
    const state = await store.loadState('holder');
    expect((state!.core as { forcedExitsAfter: number[] }).forcedExitsAfter).toHaveLength(1);

    // the reconciliation's replay of the recorded log puts the force exit at the same point
    const history = await loadStrategyHistory(store, 'holder');
    const setup = buildTradingSetup(history.record.configYaml, history.record.configName, { strategyId: 'holder', initialCash: history.record.initialCash, tradingStartTime: history.tradingStartTime });
    if (!setup.ok) throw new Error('setup');
    const balances = { cash: state!.cash, quantity: state!.positionQty, avgEntryPrice: state!.avgEntryPrice, realizedPnl: state!.realizedPnl, feesPaid: state!.feesPaid };
    const verdict = compareEvents(new TradingCore(setup.strategy, setup.coreOptions), history.log, { events: history.events, eventSeqBefore: history.eventBase, balances, forcedExitsAfter: history.forcedExitsAfter });
    expect(verdict.firstDifference).toBeNull();
    expect(verdict.identical).toBe(true);

    // rebuild without the snapshot or the trade file: the log replay must put the forced exit at the same point
    await trader.close();
    trader = null;
    await fs.rm(path.join(dir, 'data', 'strategies', 'holder', 'snapshot.json'), { force: true });
    await fs.rm(path.join(dir, 'data', 'strategies', 'holder', 'trades.jsonl'), { force: true });
    const reopened = new JsonStrategyStore({ dataDir: path.join(dir, 'data') });
    try {
      trader = await startPaperTrader({ config, bus, store: reopened, logger: createLogger('pt', { level: 'silent' }) });
      await waitFor(async () => (await reopened.countTrades('holder')) === trades.length, { what: 'trades rebuilt' });
      expect((await reopened.listTrades('holder', { limit: 50 })).items).toEqual(trades);
      expect((await reopened.loadState('holder'))?.equity).toBe(state!.equity);
    } finally {
      await trader?.close();
      trader = null;
      await reopened.close();
    }
  });

  it('with two workers on one bus, the one running the strategy acts on the force exit', async () => {
    const logger = createLogger('pt', { level: 'silent' });
    // worker a joins the commands group first but does not run the strategy; worker b does
    const a = await startPaperTrader({ config: testConfig(dir, { consumerName: 'pt-a', autoStart: false }), bus, store, logger });
    const b = await startPaperTrader({ config: testConfig(dir, { consumerName: 'pt-b' }), bus, store, logger });
    try {
      await waitFor(async () => b.runners().has('holder'), { what: 'holder on worker b' });
      expect(a.runners().has('holder')).toBe(false);
      const candles = simulatedMinuteCandles(40, 5);
      await publishCandles(bus, 'BTCUSDT', candles.slice(0, 20));
      await waitFor(async () => Number((await store.loadState('holder'))?.positionQty ?? 0) > 0, { what: 'a position' });
      // one command: a shared group hands it to one worker, maybe the one that does not run it
      for (let i = 0; i < 1; i++) {
        await bus.publish(
          Streams.commands(),
          makeEnvelope({ type: MessageType.strategyForceExit, id: `force-multi-${i}`, source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'holder' } }),
          StreamRetention.commands,
        );
      }
      let next = 20;
      const forced = await waitFor(
        async () => {
          const found = (await store.listTrades('holder', { limit: 50 })).items.filter((t) => t.reason === 'forced');
          if (found.length === 0 && next < 40) await publishCandles(bus, 'BTCUSDT', candles.slice(next, ++next));
          return found.length > 0 ? found : null;
        },
        { what: 'a forced fill' },
      );
      expect(forced.length).toBeGreaterThan(0);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
