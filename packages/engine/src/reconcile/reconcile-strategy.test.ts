import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Decimal, toDecimalString } from '../core/decimal.js';
import { TradingCore, type CoreInput, type CoreTrade } from '../kernel/trading-core.js';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { encodeRecordedInput } from '../market/recorded-input.js';
import { simulatedMarketInputs } from '../market/testing/simulated-market-inputs.js';
import type { PaperFillRecord } from './reconcile-fills.js';
import { reconcileStrategy, type ReconcileInput } from './reconcile-strategy.js';

const configDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'config');
/** the demo EMA cross on 1m bars with a stop and a target: resting orders that fill on ticks and candle paths */
const EMA_1M = `${fs.readFileSync(path.join(configDir, 'demo-ema-cross.yaml'), 'utf8').replaceAll('"5m"', '"1m"')}
risk_management:
  stop_loss: { percent: 0.003 }
  take_profit: { percent: 0.004 }
`;

/** What the paper trader records: the core stepped input by input, its fills as stored. */
function paperRun(inputs: readonly CoreInput[], yaml: string): PaperFillRecord[] {
  const setup = buildTradingSetup(yaml, 'ema.yaml', { strategyId: 'ema', initialCash: '10000', tradingStartTime: 0 });
  if (!setup.ok) throw new Error('config');
  const core = new TradingCore(setup.strategy, setup.coreOptions);
  return inputs.flatMap((x) => core.onInput(x)).flatMap((e) => (e.type === 'trade' ? [record(e.trade)] : []));
}

function record(t: CoreTrade): PaperFillRecord {
  return { tradeId: t.tradeId, orderId: t.orderId, side: t.side, quantity: toDecimalString(t.quantity), price: toDecimalString(t.price), fee: toDecimalString(t.fee), time: t.time, reason: t.reason, quality: { arrivalMid: t.quality.arrivalMid } };
}

describe('reconcileStrategy', () => {
  const market = simulatedMarketInputs(180, 21);
  const paperFills = paperRun(market, EMA_1M);
  const log = market.map((x, i) => ({ seq: i + 1, ...encodeRecordedInput(x) }));
  const base: ReconcileInput = { strategyId: 'ema', configYaml: EMA_1M, configName: 'ema.yaml', initialCash: '10000', tradingStartTime: 0, log, paperFills };

  it('finds paper identical to its replay and attributes the whole gap to a candle backtest to computed causes', () => {
    const result = reconcileStrategy(base);
    if (!result.ok) throw new Error('config');
    const r = result.report;
    expect(paperFills.length).toBeGreaterThan(10);
    expect(r.replay).toMatchObject({ identical: true, basis: 'fills', compared: paperFills.length, firstDifference: null });
    const a = r.candleBacktest.attribution;
    expect(a.unexplained).toBe('0');
    const sum = [a.latency, a.spread, a.slippage, a.bookDepth, a.candlePath].reduce((x, y) => x.plus(y), new Decimal(0));
    expect(toDecimalString(sum)).toBe(r.candleBacktest.pnl.gap);
    expect(r.candleBacktest.pnl.gap).not.toBe('0');
    // the backtest charges its modelled slippage; the paper fills against books never do
    expect(new Decimal(a.slippage).isPositive()).toBe(true);
    const { paired, missed, extra } = r.candleBacktest.pairing;
    expect(paired.length).toBeGreaterThan(3);
    for (const x of paired) expect(toDecimalString(new Decimal(x.paper.netPnl).minus(x.backtest.netPnl))).toBe(x.pnlDiff);
    expect(paired.length + extra.length).toBeGreaterThan(0);
    expect(missed.length + paired.length).toBeGreaterThan(0);
    const [opt, real, pess] = r.bands.models;
    expect([opt!.name, real!.name, pess!.name]).toEqual(['optimistic', 'realistic', 'pessimistic']);
    expect(new Decimal(opt!.finalPnl).greaterThanOrEqualTo(real!.finalPnl)).toBe(true);
    expect(new Decimal(real!.finalPnl).greaterThanOrEqualTo(pess!.finalPnl)).toBe(true);
    expect(real!.finalPnl).toBe(r.candleBacktest.pnl.backtest);
    for (const b of [...r.bands.models, r.bands.paper]) expect(b.equity.at(-1)![0]).toBe(r.window.to);
  });

  it('reports the first differing fill of a paper record that its log does not reproduce, and the difference as unexplained', () => {
    const tampered = paperFills.map((f, i) => (i === 3 ? { ...f, price: new Decimal(f.price).plus(5).toFixed() } : f));
    const result = reconcileStrategy({ ...base, paperFills: tampered });
    if (!result.ok) throw new Error('config');
    const r = result.report;
    expect(r.replay.identical).toBe(false);
    expect(r.replay).toMatchObject({ compared: 3, basis: 'fills' });
    expect(r.replay.firstDifference).toEqual({ at: paperFills[3]!.time, kind: 'fill', field: 'price', paper: tampered[3]!.price, replay: paperFills[3]!.price, inputSeq: null });
    expect(r.candleBacktest.attribution.unexplained).not.toBe('0');
  });

  it('limits everything to the window asked for', () => {
    const candles = market.filter((x) => x.kind === 'candle');
    const from = (candles[60] as { candle: { closeTime: number } }).candle.closeTime;
    const to = (candles[150] as { candle: { closeTime: number } }).candle.closeTime;
    const result = reconcileStrategy({ ...base, window: { from, to } });
    if (!result.ok) throw new Error('config');
    const r = result.report;
    expect(r.window).toEqual({ from, to });
    for (const x of r.candleBacktest.pairing.paired) expect(x.paper.entryTime >= from && x.paper.exitTime <= to).toBe(true);
    expect(r.bands.paper.equity[0]![0]).toBe(from);
    expect(r.candles).toHaveLength(90); // the 1m candles closing after from, up to to
    expect([r.candles[0]![0], r.candles.at(-1)![5]]).toEqual([from, to]);
    const merged = reconcileStrategy({ ...base, window: { from, to }, maxPoints: 30 });
    expect(merged.ok && merged.report.candles.map((c) => c[5] - c[0])).toEqual(Array(30).fill(180_000));
    expect(r.bands.paper.equity.at(-1)![0]).toBe(to);
  });

  it('returns the config problems of an invalid config, and says what the log covers for a window without candles', () => {
    const result = reconcileStrategy({ ...base, configYaml: 'name: x\n' });
    expect(result).toMatchObject({ ok: false, kind: 'config' });
    const after = reconcileStrategy({ ...base, window: { from: Date.UTC(2030, 0, 1) } });
    expect(after).toMatchObject({ ok: false, kind: 'window' });
    expect(after.ok === false && after.kind === 'window' ? after.message : '').toMatch(/^no recorded candle closes in the window 2030-01-01T00:00:00.000Z → .* \(the log holds candles closing 2025-01-06T00:01:00.000Z → 2025-01-06T03:00:00.000Z\)$/);
    const empty = reconcileStrategy({ ...base, log: [] });
    expect(empty).toMatchObject({ ok: false, kind: 'window' });
  });
});

describe('reconcileStrategy: each cause is measured by its own run', () => {
  const market = simulatedMarketInputs(150, 33);
  const log = market.map((x, i) => ({ seq: i + 1, ...encodeRecordedInput(x) }));

  it('charges book depth to orders larger than the top of the book, and latency to slow orders', () => {
    // a large account: its orders walk the simulated book's levels
    const big = paperRunWith(market, EMA_1M, { initialCash: '5000000' });
    const deep = reconcileStrategy({ strategyId: 'ema', configYaml: EMA_1M, configName: 'ema.yaml', initialCash: '5000000', tradingStartTime: 0, log, paperFills: big });
    if (!deep.ok) throw new Error('config');
    expect(deep.report.replay.identical).toBe(true);
    // walking the levels costs money: without depth limits the run does better
    expect(new Decimal(deep.report.candleBacktest.attribution.bookDepth).isNegative()).toBe(true);

    // orders that take 20–40 s to arrive: the market moves in between, so latency is no longer zero
    const slow = { latencyMs: { min: 20_000, max: 40_000 } };
    const slowFills = paperRunWith(market, EMA_1M, { initialCash: '10000', execution: slow });
    const late = reconcileStrategy({ strategyId: 'ema', configYaml: EMA_1M, configName: 'ema.yaml', initialCash: '10000', tradingStartTime: 0, log, paperFills: slowFills, execution: slow });
    if (!late.ok) throw new Error('config');
    expect(late.report.replay.identical).toBe(true);
    expect(late.report.candleBacktest.attribution.latency).not.toBe('0');
    const a = late.report.candleBacktest.attribution;
    const sum = [a.latency, a.spread, a.slippage, a.bookDepth, a.candlePath, a.unexplained].reduce((x, y) => x.plus(y), new Decimal(0));
    expect(toDecimalString(sum)).toBe(late.report.candleBacktest.pnl.gap);
  });
});

function paperRunWith(inputs: readonly CoreInput[], yaml: string, options: { initialCash: string; execution?: { latencyMs: { min: number; max: number } } }): PaperFillRecord[] {
  const setup = buildTradingSetup(yaml, 'ema.yaml', { strategyId: 'ema', tradingStartTime: 0, ...options });
  if (!setup.ok) throw new Error('config');
  const core = new TradingCore(setup.strategy, setup.coreOptions);
  return inputs.flatMap((x) => core.onInput(x)).flatMap((e) => (e.type === 'trade' ? [record(e.trade)] : []));
}

describe('reconcileStrategy: a restarted run', () => {
  it('replays a later run with its own id prefix and trading start, from the beginning of the log', () => {
    const market = simulatedMarketInputs(150, 8);
    const log = market.map((x, i) => ({ seq: i + 1, ...encodeRecordedInput(x) }));
    const restartedAt = Date.UTC(2025, 0, 6, 1, 0);
    const setup = buildTradingSetup(EMA_1M, 'ema.yaml', { strategyId: 'ema', initialCash: '10000', tradingStartTime: restartedAt });
    if (!setup.ok) throw new Error('config');
    const core = new TradingCore(setup.strategy, { ...setup.coreOptions, idPrefix: 'ema-r2' });
    const fills = market.flatMap((x) => core.onInput(x)).flatMap((e) => (e.type === 'trade' ? [record(e.trade)] : []));
    expect(fills.length).toBeGreaterThan(2);
    expect(fills.every((f) => f.tradeId.startsWith('ema-r2-t') && f.time >= restartedAt)).toBe(true);
    const result = reconcileStrategy({ strategyId: 'ema', configYaml: EMA_1M, configName: 'ema.yaml', initialCash: '10000', tradingStartTime: restartedAt, idPrefix: 'ema-r2', log, paperFills: fills });
    if (!result.ok) throw new Error('config');
    expect(result.report.replay.identical).toBe(true);
    expect(result.report.window.from).toBe(restartedAt);
    // without the run's prefix the same fills are not what the log replays to
    const wrong = reconcileStrategy({ strategyId: 'ema', configYaml: EMA_1M, configName: 'ema.yaml', initialCash: '10000', tradingStartTime: restartedAt, log, paperFills: fills });
    expect(wrong.ok && wrong.report.replay.firstDifference?.field).toBe('tradeId');
  });
});
