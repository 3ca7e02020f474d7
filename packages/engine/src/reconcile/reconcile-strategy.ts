import { timeframeMs } from '../candles/timeframe.js';
import { Decimal, toDecimalString } from '../core/decimal.js';
import { TradingCore, isLateCandle, type CoreInput } from '../kernel/trading-core.js';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { decodeRecordedInput } from '../market/recorded-input.js';
import type { Candle } from '../model/candle.js';
import type { RecordedLogEntry } from '../parity/parity-types.js';
import type { ConfigProblem } from '../strategy/config-schema.js';
import { bandParameters, type BandName, type BandParameters } from './fill-model-bands.js';
import { attributeGap, type GapAttribution } from './gap-attribution.js';
import { marketVariants } from './market-variants.js';
import { equityAt, equityAtCloses, fillFromRecord, roundTripsOf, type EquityPoint, type PaperFillRecord, type ReconcileFill, type RoundTrip } from './reconcile-fills.js';
import { runVariant, setupForRun, type PaperStrategy } from './reconcile-runs.js';
import { compareEvents, compareFills, type PaperHistory, type ReplayVerdict } from './replay-comparison.js';
import { pairRoundTrips } from './round-trip-pairing.js';

export type { GapAttribution };

/** What a reconciliation needs: the strategy as the paper trader ran it, its recorded market and its fills. */
export interface ReconcileInput extends PaperStrategy {
  /** the symbol's market log from its beginning to the last input the paper trader processed, in log order */
  log: readonly RecordedLogEntry[];
  /** the paper trader's fills of this run, oldest first */
  paperFills: readonly PaperFillRecord[];
  /** its event log and account, for part (a); without them (a) compares the fills only */
  paperHistory?: PaperHistory | undefined;
  /** default: from the trading start to the last candle */
  window?: { from?: number | undefined; to?: number | undefined };
  /** most points per equity curve (default 500) */
  maxPoints?: number;
}

export interface RoundTripView {
  side: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: string;
  exitPrice: string;
  quantity: string;
  fees: string;
  executionCost: string;
  netPnl: string;
}

export type CurvePoint = [time: number, equity: number];
export type CandleBar = [openTime: number, open: number, high: number, low: number, close: number, closeTime: number];

export interface ReconcileReport {
  strategyId: string;
  window: { from: number; to: number };
  inputs: { candles: number; books: number; trades: number; paperFills: number };
  replay: ReplayVerdict;
  candleBacktest: {
    pairing: { paired: Array<{ paper: RoundTripView; backtest: RoundTripView; pnlDiff: string }>; missed: RoundTripView[]; extra: RoundTripView[]; toleranceMs: number };
    pnl: { paper: string; backtest: string; gap: string };
    fees: { paper: string; backtest: string };
    attribution: GapAttribution;
  };
  /** the window's 1m candles, merged into at most maxPoints wider ones, to draw the trades on */
  candles: CandleBar[];
  bands: {
    paper: { finalPnl: string; equity: CurvePoint[] };
    models: Array<BandParameters & { finalPnl: string; equity: CurvePoint[] }>;
  };
}

export type ReconcileResult =
  | { ok: true; report: ReconcileReport }
  /** the stored config no longer compiles */
  | { ok: false; kind: 'config'; errors: ConfigProblem[] }
  /** the window holds no closed candle of the recorded log */
  | { ok: false; kind: 'window'; message: string };

/**
 * The reconciliation report of a window of a paper strategy (docs/reconciliation.md):
 * (a) its fills against a replay of its recorded log; (b) a candle-only backtest of the same config
 * as a user would run it, round trips side by side, and the PnL gap attributed to its causes by a
 * ladder of runs that each remove one realism (latency, book depth, spread, ticks vs the candle
 * path, modelled costs) — the steps telescope, so the causes add up to the gap exactly and
 * whatever the replay does not reproduce is reported as unexplained; (c) the window under the
 * optimistic, realistic and pessimistic fill models.
 */
export function reconcileStrategy(input: ReconcileInput): ReconcileResult {
  const base = buildTradingSetup(input.configYaml, input.configName, { strategyId: input.strategyId, initialCash: input.initialCash, tradingStartTime: input.tradingStartTime });
  if (!base.ok) return { ok: false, kind: 'config', errors: base.errors };
  const initial = new Decimal(input.initialCash);
  const all = input.log.map(decodeRecordedInput);
  const candles = candlesOf(all);
  const lastClose = candles.at(-1)?.closeTime ?? input.tradingStartTime;
  const from = input.window?.from ?? Math.max(input.tradingStartTime, candles[0]?.openTime ?? 0);
  const to = Math.min(input.window?.to ?? lastClose, lastClose);
  if (candles.length === 0 || to <= from || !candles.some((c) => c.closeTime > from && c.closeTime <= to)) {
    const covered = candles.length === 0 ? 'no candles yet' : `candles closing ${iso(candles[0]!.closeTime)} → ${iso(lastClose)}`;
    return { ok: false, kind: 'window', message: `no recorded candle closes in the window ${iso(from)} → ${iso(input.window?.to ?? lastClose)} (the log holds ${covered})` };
  }
  const market = all.filter((x) => timeOf(x) <= to);
  const windowCandles = candles.filter((c) => c.closeTime <= to);
  const maxPoints = input.maxPoints ?? 500;

  const paper: PaperStrategy = input;
  const replayVerdict = (replayFills: () => readonly ReconcileFill[]): ReplayVerdict => {
    if (input.paperHistory === undefined) {
      const first = input.log[0];
      const last = input.log.at(-1);
      const window = { fromSeq: first?.seq ?? null, toSeq: last?.seq ?? null, from: first?.time ?? null, to: last?.time ?? null, inputs: input.log.length };
      return compareFills(input.paperFills.map(fillFromRecord), replayFills(), window);
    }
    const { strategy, options } = setupForRun(paper);
    return compareEvents(new TradingCore(strategy, options), input.log, input.paperHistory);
  };
  const pnlOf = (fills: readonly ReconcileFill[]): Decimal => {
    const eq = equityAtCloses(fills, windowCandles, initial);
    return equityAt(eq, to, initial).minus(equityAt(eq, from, initial));
  };

  const paperFills = input.paperFills.filter((f) => f.time <= to).map(fillFromRecord);
  const ladder = attributeGap(paper, market, pnlOf(paperFills), pnlOf);
  const { replay, candleBacktest } = ladder;
  const candleInputs = marketVariants.candlesOnly(market);
  const s = toDecimalString;

  const inWindow = (t: RoundTrip) => t.entryTime >= from && t.exitTime <= to;
  const toleranceMs = 2 * timeframeMs(base.strategy.entryTimeframe);
  const pairing = pairRoundTrips(roundTripsOf(paperFills).filter(inWindow), roundTripsOf(candleBacktest).filter(inWindow), toleranceMs);
  const feesIn = (fills: readonly ReconcileFill[]) => fills.filter((f) => f.time > from && f.time <= to).reduce((a, f) => a.plus(f.fee), new Decimal(0));

  const curve = (fills: readonly ReconcileFill[]): CurvePoint[] => downsample(equityAtCloses(fills, windowCandles, initial).filter((e) => e.time >= from), maxPoints);
  const bands = bandParameters(String(base.config.backtest.slippage ?? 0.0005)).map((b) => {
    const fills = b.name === 'realistic' && input.execution === undefined ? candleBacktest : runVariant(paper, { inputs: candleInputs, spread: b.spread, slippage: b.slippage, latencyMs: b.latencyMs });
    return { ...b, finalPnl: s(pnlOf(fills)), equity: curve(fills) };
  });

  return {
    ok: true,
    report: {
      strategyId: input.strategyId,
      window: { from, to },
      inputs: { candles: windowCandles.length, books: market.filter((x) => x.kind === 'book').length, trades: market.filter((x) => x.kind === 'trade').length, paperFills: paperFills.length },
      replay: replayVerdict(() => (market.length === all.length ? replay : runVariant(paper, { inputs: all }))),
      candleBacktest: {
        pairing: {
          paired: pairing.paired.map((x) => ({ paper: view(x.paper), backtest: view(x.backtest), pnlDiff: s(x.paper.netPnl.toDecimalPlaces(8).minus(x.backtest.netPnl.toDecimalPlaces(8))) })),
          missed: pairing.missed.map(view),
          extra: pairing.extra.map(view),
          toleranceMs,
        },
        pnl: { paper: s(ladder.pnl.paper), backtest: s(ladder.pnl.backtest), gap: s(ladder.pnl.paper.minus(ladder.pnl.backtest)) },
        fees: { paper: s(feesIn(paperFills)), backtest: s(feesIn(candleBacktest)) },
        attribution: ladder.attribution,
      },
      candles: mergeCandles(windowCandles.filter((c) => c.closeTime > from), maxPoints),
      bands: { paper: { finalPnl: s(ladder.pnl.paper), equity: curve(paperFills) }, models: bands },
    },
  };
}

export type { BandName };

function view(t: RoundTrip): RoundTripView {
  const s = (d: Decimal) => toDecimalString(d.toDecimalPlaces(8));
  return { side: t.side, entryTime: t.entryTime, exitTime: t.exitTime, entryPrice: s(t.entryPrice), exitPrice: s(t.exitPrice), quantity: s(t.quantity), fees: s(t.fees), executionCost: s(t.executionCost), netPnl: s(t.netPnl) };
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function timeOf(x: CoreInput): number {
  return x.kind === 'candle' ? x.candle.closeTime : x.kind === 'book' ? x.book.time : x.trade.time;
}

/** The closed 1m candles of the inputs as the core takes them (a repeated or out-of-order one is skipped). */
function candlesOf(inputs: readonly CoreInput[]): Candle[] {
  const out: Candle[] = [];
  for (const x of inputs) if (x.kind === 'candle' && !isLateCandle(x.candle, out.at(-1) ?? null)) out.push(x.candle);
  return out;
}

/** Consecutive candles merged `n` at a time so that at most `maxBars` remain. */
function mergeCandles(candles: readonly Candle[], maxBars: number): CandleBar[] {
  const n = Math.max(1, Math.ceil(candles.length / maxBars));
  const out: CandleBar[] = [];
  for (let i = 0; i < candles.length; i += n) {
    const group = candles.slice(i, i + n);
    const first = group[0]!;
    const last = group[group.length - 1]!;
    out.push([first.openTime, first.open, Math.max(...group.map((c) => c.high)), Math.min(...group.map((c) => c.low)), last.close, last.closeTime]);
  }
  return out;
}

/** At most `maxPoints` points, keeping the last of each bucket (the final equity is always there). */
function downsample(points: readonly EquityPoint[], maxPoints: number): CurvePoint[] {
  const step = Math.max(1, Math.ceil(points.length / maxPoints));
  const out: CurvePoint[] = [];
  for (let i = step - 1; i < points.length; i += step) out.push([points[i]!.time, points[i]!.equity.toNumber()]);
  const last = points.at(-1);
  if (last && out.at(-1)?.[0] !== last.time) out.push([last.time, last.equity.toNumber()]);
  return out;
}
