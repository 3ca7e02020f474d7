import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { Decimal, TradingCore, buildTradingSetup, decodeRecordedInput, runBacktest, simulatedMinuteCandles, toDecimalString, type CoreInput } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, createLogger, waitFor } from '@btc-research/platform';
import type { PaperTraderConfig } from './config.js';
import { startPaperTrader, type PaperTrader } from './service.js';
import { recordingLogger } from './testing/recording-logger.js';
import { testConfig } from './testing/test-config.js';
import { publishCandles } from './testing/candle-publishing.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', 'config');

describe('paper-trader service (embedded: in-process bus, JSON files)', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;
  let config: PaperTraderConfig;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-service-'));
    config = testConfig(dir);
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  it('isolates a failing strategy: its error is in its status and the others keep trading', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'good.yaml'), ema);
    await fs.writeFile(path.join(dir, 'config', 'doomed.yaml'), ema.replace('symbol: "BTC/USDT"', 'symbol: "ETH/USDT"'));
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(600, 11);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 300));
    await waitFor(async () => (await store.loadState('good'))?.lastCandleCloseTime === candles[299]!.closeTime, { what: 'good strategy at candle 300' });
    // a corrupt candle (high below low) on the other strategy's market
    const bad = { ...candles[0]!, high: 1, low: 2 };
    await publishCandles(bus, 'ETHUSDT', [bad]);
    await waitFor(async () => (await store.getStrategy('doomed'))?.status === 'error', { what: 'doomed strategy in error' });
    expect((await store.getStrategy('doomed'))?.error).toMatch(/corrupt candle/);
    await publishCandles(bus, 'BTCUSDT', candles.slice(300));
    await waitFor(async () => (await store.loadState('good'))?.lastCandleCloseTime === candles[599]!.closeTime, { what: 'good strategy to the end' });
    expect((await store.getStrategy('good'))?.status).toBe('running');
    expect(trader.runners().has('doomed')).toBe(false);
  });

  it('logs the config warnings of a strategy it starts, e.g. one per unknown name of a compat: legacy config', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    // the original's "never trades" kind of rule: an id where the column is EMA_Fast_EMA_12
    const legacy = `${ema}\ncompat: legacy\n`.replace(/entry_long:\s*\n(\s*)- /, (m, indent: string) => `${m}"close > EMA_Typo"\n${indent}- `);
    await fs.writeFile(path.join(dir, 'config', 'old.yaml'), legacy);
    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config, bus, store, logger });
    await waitFor(async () => trader!.runners().has('old'), { what: 'legacy strategy active' });
    const warned = lines.find((l) => l.level === 'warn' && l.msg === 'strategy config has warnings' && l.fields['strategyId'] === 'old');
    expect(warned, 'a warning line for the strategy').toBeDefined();
    const warnings = warned!.fields['warnings'] as string[];
    expect(warnings.filter((w) => w.includes('LEGACY_UNKNOWN_NAME'))).toHaveLength(1);
    expect(warnings.find((w) => w.includes('LEGACY_UNKNOWN_NAME'))).toContain('`EMA_Typo`');
  });

  it('starts and stops strategies on bus commands, and picks up a YAML dropped into config/ while running', async () => {
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const rsi = await fs.readFile(path.join(repoConfig, 'demo-rsi-mean-reversion.yaml'), 'utf8');
    await bus.publish(
      Streams.commands(),
      makeEnvelope({ type: MessageType.strategyStart, id: 'cmd-1', source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'from-api', configName: 'demo-rsi-mean-reversion.yaml', configYaml: rsi } }),
      StreamRetention.commands,
    );
    await waitFor(async () => trader!.runners().has('from-api'), { what: 'started by command' });
    const candles = simulatedMinuteCandles(100, 5);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 50));
    await waitFor(async () => (await store.loadState('from-api'))?.lastCandleCloseTime === candles[49]!.closeTime, { what: 'first candles' });
    await bus.publish(
      Streams.commands(),
      makeEnvelope({ type: MessageType.strategyStop, id: 'cmd-2', source: 'test', tsEvent: 2, tsInit: 2, payload: { strategyId: 'from-api', reason: 'test' } }),
      StreamRetention.commands,
    );
    await waitFor(async () => (await store.getStrategy('from-api'))?.status === 'stopped', { what: 'stopped by command' });
    expect(trader.runners().has('from-api')).toBe(false);

    await fs.writeFile(path.join(dir, 'config', 'dropped-in.yaml'), rsi);
    await waitFor(async () => trader!.runners().has('dropped-in'), { what: 'new config file picked up' });
    await publishCandles(bus, 'BTCUSDT', candles.slice(50));
    await waitFor(async () => (await store.loadState('dropped-in'))?.lastCandleCloseTime === candles[99]!.closeTime, { what: 'dropped-in strategy runs' });
    expect((await store.loadState('from-api'))?.lastCandleCloseTime).toBe(candles[49]!.closeTime); // stopped stays stopped
  });

  it('reports a broken config dropped into config/ and starts it once the file is fixed', async () => {
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const rsi = await fs.readFile(path.join(repoConfig, 'demo-rsi-mean-reversion.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'typo.yaml'), rsi.replace('indicators:', 'indicatorz:'));
    const failed = await waitFor(async () => {
      const r = await store.getStrategy('typo');
      return r?.status === 'error' ? r : null;
    }, { what: 'broken config reported' });
    expect(failed.error).toMatch(/typo\.yaml:\d+:\d+/);
    await fs.writeFile(path.join(dir, 'config', 'typo.yaml'), rsi);
    await waitFor(async () => trader!.runners().has('typo'), { what: 'fixed config started' });
    expect((await store.getStrategy('typo'))?.error).toBeNull();
  });

  it('logs book and trade messages into the market log for the engine', async () => {
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await bus.publish(
      Streams.bookTicker('BTCUSDT'),
      makeEnvelope({ type: MessageType.bookTicker, id: 'b1', source: 'test', tsEvent: 5, tsInit: 5, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', bidPrice: '99.5', bidQty: '2', askPrice: '100.5', askQty: '3', time: 5 } }),
      StreamRetention.bookTicker,
    );
    await bus.publish(
      Streams.trades('BTCUSDT'),
      makeEnvelope({ type: MessageType.trade, id: 't1', source: 'test', tsEvent: 6, tsInit: 6, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: '77', price: '100', quantity: '0.5', time: 6, isBuyerMaker: false } }),
      StreamRetention.trades,
    );
    const log = await waitFor(async () => {
      const events = await store.listMarketEvents('BTCUSDT', 0, 10);
      return events.length === 2 ? events : null;
    }, { what: 'market log entries' });
    expect(log.map((e) => [e.kind, e.time, e.data])).toEqual([
      ['book', 5, { bids: [['99.5', '2']], asks: [['100.5', '3']] }],
      ['trade', 6, { price: '100', quantity: '0.5' }],
    ]);
  });

  it('detects a corrupt snapshot on restart, rebuilds from the log and ends where an uninterrupted run ends; missed data is settled after downtime', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const yaml = `${ema}\nrisk_management:\n  stop_loss: { percent: 0.003 }\n  take_profit: { percent: 0.006 }\n`;
    await fs.writeFile(path.join(dir, 'config', 'guarded.yaml'), yaml);
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(900, 23);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 400));
    await waitFor(async () => (await store.loadState('guarded'))?.lastCandleCloseTime === candles[399]!.closeTime, { what: 'first part' });
    await trader.close();
    trader = null;
    // downtime: the market moves on (stops and targets may be crossed meanwhile)
    await publishCandles(bus, 'BTCUSDT', candles.slice(400, 800));
    const snapFile = path.join(dir, 'data', 'strategies', 'guarded', 'snapshot.json');
    const text = await fs.readFile(snapFile, 'utf8');
    await fs.writeFile(snapFile, text.replace(/"cash":"[^"]+"/, '"cash":"123456"'));
    expect((await store.loadSnapshot('guarded')).status).toBe('corrupt');

    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config, bus, store, logger });
    expect(lines.some((l) => l.level === 'warn' && /snapshot is corrupt/.test(l.msg))).toBe(true);
    await publishCandles(bus, 'BTCUSDT', candles.slice(800));
    await waitFor(async () => (await store.loadState('guarded'))?.lastCandleCloseTime === candles[899]!.closeTime, { what: 'to the end' });
    await waitFor(async () => (await store.loadSnapshot('guarded')).status === 'ok', { what: 'a fresh snapshot' });

    const setup = buildTradingSetup(yaml, 'guarded.yaml', { strategyId: 'guarded', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const expected = runBacktest(setup.strategy, candles, setup.coreOptions);
    const trades = (await store.listTrades('guarded', { limit: 1000 })).items.reverse();
    expect(trades.map((t) => [t.tradeId, t.price, t.quantity, t.time, t.reason])).toEqual(expected.trades.map((t) => [t.tradeId, toDecimalString(t.price), toDecimalString(t.quantity), t.time, t.reason]));
    // stops or targets filled during the downtime were settled against the missed candles
    const duringDowntime = expected.trades.filter((t) => t.time >= candles[400]!.openTime && t.time < candles[800]!.openTime && (t.reason === 'stop_loss' || t.reason === 'take_profit'));
    expect(duringDowntime.length).toBeGreaterThan(0);
    expect((await store.loadState('guarded'))?.equity).toBe(expected.core.summary().equity);
  });

  it('restarts a strategy from its snapshot image, replaying only the log after it, and ends where an uninterrupted run ends', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const yaml = `${ema}\nrisk_management:\n  stop_loss: { percent: 0.003 }\n  take_profit: { percent: 0.006 }\n`;
    await fs.writeFile(path.join(dir, 'config', 'resumable.yaml'), yaml);
    config.snapshotIntervalMs = 60_000;
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const candles = simulatedMinuteCandles(1_000, 29);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 600));
    await waitFor(async () => (await store.loadState('resumable'))?.lastCandleCloseTime === candles[599]!.closeTime, { what: 'first part' });
    await trader.close(); // a clean stop writes a snapshot
    trader = null;
    await publishCandles(bus, 'BTCUSDT', candles.slice(600, 800)); // downtime

    const active = (lines: Array<{ msg: string; fields: Record<string, unknown> }>) => lines.find((l) => l.msg === 'strategy active' && l.fields['strategyId'] === 'resumable')?.fields;
    const first = recordingLogger();
    trader = await startPaperTrader({ config, bus, store, logger: first.logger });
    await waitFor(async () => (await store.loadState('resumable'))?.lastCandleCloseTime === candles[799]!.closeTime, { what: 'downtime caught up' });
    expect(active(first.lines)).toMatchObject({ resumedAt: 600, snapshot: 'ok' });
    expect(Number(active(first.lines)?.['replayed'])).toBeLessThanOrEqual(200);
    await publishCandles(bus, 'BTCUSDT', candles.slice(800));
    await waitFor(async () => (await store.loadState('resumable'))?.lastCandleCloseTime === candles[999]!.closeTime, { what: 'to the end' });
    await trader.close();
    trader = null;

    const setup = buildTradingSetup(yaml, 'resumable.yaml', { strategyId: 'resumable', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const expected = runBacktest(setup.strategy, candles, setup.coreOptions);
    const trades = (await store.listTrades('resumable', { limit: 1000 })).items.reverse();
    expect(trades.length).toBeGreaterThan(3);
    expect(trades.map((t) => [t.tradeId, t.price, t.quantity, t.fee, t.time, t.reason])).toEqual(
      expected.trades.map((t) => [t.tradeId, toDecimalString(t.price), toDecimalString(t.quantity), toDecimalString(t.fee), t.time, t.reason]),
    );
    expect((await store.loadState('resumable'))?.equity).toBe(expected.core.summary().equity);

    // built differently now (another maker fee): the image does not apply, the whole log is replayed
    const second = recordingLogger();
    trader = await startPaperTrader({ config: { ...config, makerCommission: '0.0001' }, bus, store, logger: second.logger });
    expect(active(second.lines)).toMatchObject({ resumedAt: null, replayed: 1_000 });
  });

  it('prunes the market log behind its retention window without losing exactness, and refuses to rebuild a strategy the pruned log cannot reproduce', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const yaml = `${ema}\nrisk_management:\n  stop_loss: { percent: 0.003 }\n  take_profit: { percent: 0.006 }\n`;
    await fs.writeFile(path.join(dir, 'config', 'kept.yaml'), yaml);
    config.marketLogRetentionMs = 120 * 60_000; // two hours of market time
    config.marketLogPruneIntervalMs = 0;
    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config, bus, store, logger });
    const candles = simulatedMinuteCandles(1_000, 31);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 600));
    await waitFor(async () => (await store.loadState('kept'))?.lastCandleCloseTime === candles[599]!.closeTime, { what: 'first part' });
    const first = await waitFor(async () => {
      const e = (await store.listMarketEvents('BTCUSDT', 0, 1))[0];
      return e && e.seq > 400 ? e : null;
    }, { what: 'the log pruned' });
    // about two hours of market time is kept behind the end
    expect(candles[599]!.closeTime - first.time).toBeLessThanOrEqual(120 * 60_000);
    await waitFor(async () => lines.some((l) => l.msg === 'pruned the market log'), { what: 'the prune logged' });
    await trader.close();
    trader = null;
    await publishCandles(bus, 'BTCUSDT', candles.slice(600, 800));
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await publishCandles(bus, 'BTCUSDT', candles.slice(800));
    await waitFor(async () => (await store.loadState('kept'))?.lastCandleCloseTime === candles[999]!.closeTime, { what: 'to the end' });
    await trader.close();
    trader = null;
    // restarted from its image over a pruned log, it still ends exactly like the backtest of everything
    const setup = buildTradingSetup(yaml, 'kept.yaml', { strategyId: 'kept', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const expected = runBacktest(setup.strategy, candles, setup.coreOptions);
    const trades = (await store.listTrades('kept', { limit: 1000 })).items.reverse();
    expect(trades.length).toBeGreaterThan(3);
    expect(trades.map((t) => [t.tradeId, t.price, t.quantity, t.time])).toEqual(expected.trades.map((t) => [t.tradeId, toDecimalString(t.price), toDecimalString(t.quantity), t.time]));
    expect((await store.loadState('kept'))?.equity).toBe(expected.core.summary().equity);

    // without a usable snapshot it would need the pruned inputs: it stops with the reason instead of drifting
    const snapFile = path.join(dir, 'data', 'strategies', 'kept', 'snapshot.json');
    await fs.writeFile(snapFile, (await fs.readFile(snapFile, 'utf8')).replace(/"cash":"[^"]+"/, '"cash":"1"'));
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const failed = await waitFor(async () => {
      const r = await store.getStrategy('kept');
      return r?.status === 'error' ? r : null;
    }, { what: 'kept refused' });
    expect(failed.error).toMatch(/market log before seq \d+ was pruned/);
    expect(trader.runners().has('kept')).toBe(false);
  });

  it('fills against the live book published on the bus: walks its levels at bid/ask, records the fill quality, and matches the core fed the same inputs', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'booked.yaml'), ema);
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await waitFor(async () => trader!.runners().has('booked'), { what: 'strategy active' });
    const candles = simulatedMinuteCandles(400, 41);
    const inputs: CoreInput[] = [];
    const levels = (px: number, dir: 1 | -1) =>
      [0, 1, 2].map((k) => [(Math.round((px + dir * (0.5 + k)) * 100) / 100).toFixed(2), k < 2 ? '0.05' : '2'] as [string, string]);
    let seq = 0;
    for (const c of candles) {
      await publishCandles(bus, 'BTCUSDT', [c]);
      const time = c.closeTime + 150;
      const bids = levels(c.close, -1);
      const asks = levels(c.close, 1);
      await bus.publish(
        Streams.bookDepth('BTCUSDT'),
        makeEnvelope({ type: MessageType.bookDepth, id: `d-${time}`, source: 'test', tsEvent: time, tsInit: time, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', lastUpdateId: time, bids, asks, time } }),
        StreamRetention.bookDepth,
      );
      seq += 2;
      const want = seq;
      await waitFor(async () => (await store.listMarketEvents('BTCUSDT', want - 1, 1)).length === 1, { what: `market log entry ${want}` });
      inputs.push({ kind: 'candle', candle: c });
      const dec = (l: [string, string]) => ({ price: new Decimal(l[0]), quantity: new Decimal(l[1]) });
      inputs.push({ kind: 'book', book: { time, bids: bids.map(dec), asks: asks.map(dec) } });
    }
    await waitFor(async () => (await store.loadState('booked'))?.lastCandleCloseTime === candles[399]!.closeTime, { what: 'all candles' });
    const log = await store.listMarketEvents('BTCUSDT', 0, 10_000);
    expect(log.map((e) => e.kind)).toEqual(inputs.map((x) => x.kind));

    const setup = buildTradingSetup(ema, 'booked.yaml', { strategyId: 'booked', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const core = new TradingCore(setup.strategy, setup.coreOptions);
    const expected = inputs.flatMap((x) => core.onInput(x)).flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
    const trades = (await store.listTrades('booked', { limit: 1000 })).items.reverse();
    expect(trades.length).toBeGreaterThan(3);
    expect(trades.map((t) => [t.tradeId, t.side, t.price, t.quantity, t.time, t.quality])).toEqual(expected.map((t) => [t.tradeId, t.side, toDecimalString(t.price), toDecimalString(t.quantity), t.time, t.quality]));
    // the book was walked: fills at the published levels, several per order
    const entry = trades.find((t) => t.reason.startsWith('entry'))!;
    const sameOrder = trades.filter((t) => t.orderId === entry.orderId);
    expect(sameOrder.length).toBe(3);
    expect(sameOrder[2]!.quality?.levelsConsumed).toBe(3);
    const orders = await store.listOrders('booked', { limit: 1000 });
    const o = orders.find((x) => x.orderId === entry.orderId)!;
    expect(o.status).toBe('filled');
    expect(o.quality.levelsConsumed).toBe(3);
    expect(o.quality.vwap).toBe(sameOrder[2]!.quality?.vwap);
  });

  it('commits each input together with the fills it caused, and falls back without loss when the log moved behind the writer', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'fast.yaml'), ema);
    // remember which trades were written in the same call as the market inputs
    const tradesWithInputs = new Set<string>();
    const watched = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === 'appendMarketEventsWithEffects') {
          return async (...args: Parameters<JsonStrategyStore['appendMarketEventsWithEffects']>) => {
            // noted before the call: the store writes the state the test polls before the call returns
            for (const b of args[2]) for (const t of b.effects.trades ?? []) tradesWithInputs.add(t.tradeId);
            await target.appendMarketEventsWithEffects(...args);
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const { logger, lines } = recordingLogger();
    trader = await startPaperTrader({ config, bus, store: watched, logger });
    await waitFor(async () => trader!.runners().has('fast'), { what: 'strategy active' });
    const candles = simulatedMinuteCandles(900, 17);
    for (const c of candles.slice(0, 450)) await publishCandles(bus, 'BTCUSDT', [c]);
    await waitFor(async () => (await store.loadState('fast'))?.lastCandleCloseTime === candles[449]!.closeTime, { what: 'first half' });
    const firstHalf = (await store.listTrades('fast', { limit: 1000 })).items;
    expect(firstHalf.length).toBeGreaterThan(2);
    expect(firstHalf.filter((t) => !tradesWithInputs.has(t.tradeId))).toEqual([]);

    // another writer appends behind this one's back; a candle already logged arrives again
    await store.appendMarketEvents('BTCUSDT', [{ kind: 'trade', time: candles[449]!.closeTime + 1, sourceId: 'trade:elsewhere', data: { price: String(candles[449]!.close), quantity: '0.1' } }]);
    await publishCandles(bus, 'BTCUSDT', [candles[449]!]);
    for (const c of candles.slice(450)) await publishCandles(bus, 'BTCUSDT', [c]);
    await waitFor(async () => (await store.loadState('fast'))?.lastCandleCloseTime === candles[899]!.closeTime, { what: 'second half' });
    expect(lines.some((l) => l.level === 'warn' && /not where this writer thought/.test(l.msg))).toBe(true);

    // the log: every input once, dense seqs, the foreign trade where it was appended
    const log = await store.listMarketEvents('BTCUSDT', 0, 10_000);
    expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 901 }, (_, k) => k + 1));
    expect(log.filter((e) => e.kind === 'candle').map((e) => e.time)).toEqual(candles.map((c) => c.closeTime));
    expect(log[450]!.sourceId).toBe('trade:elsewhere');
    // and the strategy's trades are those of a core fed exactly that log
    const setup = buildTradingSetup(ema, 'fast.yaml', { strategyId: 'fast', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const core = new TradingCore(setup.strategy, setup.coreOptions);
    const expected = log.flatMap((e) => core.onInput(decodeRecordedInput(e))).flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
    await waitFor(async () => (await store.countTrades('fast')) === expected.length, { what: 'all trades stored' });
    const trades = (await store.listTrades('fast', { limit: 1000 })).items.reverse();
    expect(trades.map((t) => [t.tradeId, t.price, t.quantity, t.time])).toEqual(expected.map((t) => [t.tradeId, toDecimalString(t.price), toDecimalString(t.quantity), t.time]));
    expect((await store.loadState('fast'))?.equity).toBe(core.summary().equity);
  });

  it('a stopped strategy started again is a new run: its ids and event-log seqs never collide with the first run', async () => {
    trader = await startPaperTrader({ config, bus, store, logger: createLogger('pt', { level: 'silent' }) });
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    const start = (id: string) =>
      bus.publish(
        Streams.commands(),
        makeEnvelope({ type: MessageType.strategyStart, id: `start-${id}`, source: 'test', tsEvent: 1, tsInit: 1, payload: { strategyId: 'again', configName: 'demo-ema-cross.yaml', configYaml: ema } }),
        StreamRetention.commands,
      );
    const candles = simulatedMinuteCandles(1_200, 8);
    await publishCandles(bus, 'BTCUSDT', candles.slice(0, 200));
    await waitFor(async () => (await store.listMarketEvents('BTCUSDT', 199, 1)).length === 1, { what: 'history logged' });
    await start('1');
    await waitFor(async () => trader!.runners().has('again'), { what: 'first run' });
    await publishCandles(bus, 'BTCUSDT', candles.slice(200, 700));
    await waitFor(async () => (await store.loadState('again'))?.lastCandleCloseTime === candles[699]!.closeTime, { what: 'first run done' });
    const firstRun = await store.countTrades('again');
    expect(firstRun).toBeGreaterThan(2);
    await bus.publish(Streams.commands(), makeEnvelope({ type: MessageType.strategyStop, id: 'stop-1', source: 'test', tsEvent: 2, tsInit: 2, payload: { strategyId: 'again', reason: 'test' } }), StreamRetention.commands);
    await waitFor(async () => (await store.getStrategy('again'))?.status === 'stopped', { what: 'stopped' });
    expect(await store.listOrders('again', { limit: 100, openOnly: true })).toEqual([]);
    await start('2');
    await waitFor(async () => trader!.runners().has('again'), { what: 'second run' });
    await publishCandles(bus, 'BTCUSDT', candles.slice(700));
    await waitFor(async () => (await store.loadState('again'))?.lastCandleCloseTime === candles[1199]!.closeTime, { what: 'second run done' });
    const trades = (await store.listTrades('again', { limit: 1000 })).items;
    const second = trades.filter((t) => t.tradeId.startsWith('again-r2-t'));
    expect(second.length).toBeGreaterThan(2);
    expect(trades.length).toBe(firstRun + second.length);
    expect(new Set(trades.map((t) => t.tradeId)).size).toBe(trades.length);
    const seqs = (await store.listEvents('again', 0, 100_000)).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
    expect((await store.loadState('again'))?.tradeCount).toBe(second.length);
  });
});
