import { createHash } from 'node:crypto';
import {
  TradingCore,
  buildTradingSetup,
  decodeRecordedInput,
  dec,
  toDecimalString,
  tradeView,
  type Candle,
  type ConfigProblem,
  type CoreEvent,
  type CoreOrder,
  type CoreSnapshot,
  type CoreTrade,
  type ExecutionModelOverrides,
  type StateImage,
} from '@btc-research/engine';
import { MarketDataGapError, canonicalJson, type EquityPoint, type MarketEventRecord, type OrderRecord, type PositionRecord, type SnapshotRecord, type StrategyEffects, type StrategyRecord, type StrategyState, type TradeRecord } from '@btc-research/platform';
import { emptyOutput, type RunnerOutput } from './runner-output.js';
import { NO_WARMUP, type WarmupInputs } from './warmup-history.js';

/**
 * bumped when what a runner's image means changes, so older images are replayed over instead
 * (2: execution models gained the queue and cancel-latency models, orders their queue and request
 * fields; an image without them would restore a core that lacks them)
 */
const IMAGE_FORMAT = 2;

/** Execution models a runner may be given beyond the strategy's own (commission and slippage come from its YAML). */
export type RunnerExecution = Omit<ExecutionModelOverrides, 'commission' | 'slippage'>;

/** Which run of a strategy a runner is: see StrategyRunner.create. */
export interface RunNumber {
  run: number;
  eventBase: number;
  /** market-log seqs after which this run was force-exited (from its stored state), replayed at the same points */
  forcedExitsAfter?: readonly number[];
}

/** What a runner's snapshot holds (checksummed by the store). */
export interface RunnerSnapshotState {
  core: CoreSnapshot;
  image: StateImage;
  imageKey: string;
}

/**
 * One strategy with its own virtual account: a TradingCore built from the stored YAML. It is rebuilt
 * on every start by replaying the symbol's market log, so its state is a pure function of config and
 * inputs, and every effect it produces has a deterministic id (trade, order and event-log seq).
 */
export class StrategyRunner {
  /** last market-log seq processed */
  marketSeq = 0;
  /** last event-log seq produced */
  eventSeq = 0;

  private constructor(
    readonly record: StrategyRecord,
    readonly core: TradingCore,
    readonly tradingStartTime: number,
  ) {}

  /**
   * `run` counts (re)starts of the strategy: run 1 uses the strategy id as id prefix (the same ids as
   * a backtest), later runs `<id>-r<run>`, and their event-log seqs continue after `eventBase`.
   * `warmup`: older candles than the log (the strategy's stored warm-up history), fed first.
   */
  static create(
    record: StrategyRecord,
    tradingStartTime: number,
    execution?: RunnerExecution,
    run: RunNumber = { run: 1, eventBase: 0 },
    warmup: WarmupInputs = NO_WARMUP,
  ): { ok: true; runner: StrategyRunner; warnings: ConfigProblem[] } | { ok: false; errors: ConfigProblem[] } {
    const setup = buildTradingSetup(record.configYaml, record.configName, { strategyId: record.id, initialCash: record.initialCash, tradingStartTime, ...(execution ? { execution } : {}) });
    if (!setup.ok) return { ok: false, errors: setup.errors };
    const options = run.run > 1 ? { ...setup.coreOptions, idPrefix: `${record.id}-r${run.run}` } : setup.coreOptions;
    const runner = new StrategyRunner(record, new TradingCore(setup.strategy, options), tradingStartTime);
    runner.run = run.run;
    runner.eventBase = run.eventBase;
    runner.eventSeq = run.eventBase;
    runner.execution = execution ?? null;
    runner.forcedExitsAfter = [...(run.forcedExitsAfter ?? [])].sort((a, b) => a - b);
    runner.forcedExitsToReplay = [...runner.forcedExitsAfter];
    // what the core was built from: an image is only valid for a core built the same way
    runner.imageKey = createHash('sha256')
      .update(JSON.stringify({ format: IMAGE_FORMAT, configYaml: record.configYaml, initialCash: record.initialCash, tradingStartTime, run: run.run, eventBase: run.eventBase, execution: execution ?? null, ...(warmup.key === '' ? {} : { warmup: warmup.key }) }))
      .digest('hex');
    runner.warmUp(warmup.candles);
    return { ok: true, runner, warnings: setup.warnings };
  }

  run = 1;
  eventBase = 0;
  private imageKey = '';
  /** execution settings beyond the config it runs with, kept in its state so a replay elsewhere (reconciliation) uses them too */
  private execution: RunnerExecution | null = null;
  /** every force exit of this run, as the market seq it followed (kept in the state) */
  private forcedExitsAfter: number[] = [];
  /** recorded force exits still ahead of this runner's position (a rebuild replays them) */
  private forcedExitsToReplay: number[] = [];
  private isForceExitAsked = false;

  /** candles of the warm-up history this runner was fed before the log */
  warmupCandles = 0;

  /**
   * Feeds the warm-up history's candles (older than the log, ending where it starts) to the core.
   * Only when all of them close before trading starts: they warm indicators up and never trade
   * (a strategy trading from the log's start, tradingStartTime 0, gets none).
   */
  private warmUp(candles: readonly Candle[]): void {
    const last = candles[candles.length - 1];
    if (last === undefined || last.closeTime >= this.tradingStartTime) return;
    for (const candle of candles) {
      // a copy: the core keeps (and a restored image overwrites) the candle it was given, and runners built together share the history
      if (this.core.onInput({ kind: 'candle', candle: { ...candle } }).length > 0) throw new Error(`strategy ${this.record.id}: a warm-up candle produced trading events`);
    }
    this.warmupCandles = candles.length;
  }

  /**
   * A person asked to close the position now: done before the next market input (the market order
   * then fills on that input, like any other). The point is recorded so a replay does the same.
   */
  requestForceExit(): void {
    this.isForceExitAsked = true;
  }

  /**
   * A checksummed snapshot's content: the core's own summary (compared with a replay to check the
   * log and the image agree) and the whole core as an image to restart from.
   */
  snapshotRecord(): SnapshotRecord {
    const state: RunnerSnapshotState = { core: this.core.snapshot(), image: this.core.stateImage(), imageKey: this.imageKey };
    return { strategyId: this.record.id, eventSeq: this.eventSeq, marketSeq: this.marketSeq, time: this.core.summary().time ?? 0, state };
  }

  /**
   * Continues from a snapshot's image instead of replaying the log up to it. False (and this
   * runner untouched) when the snapshot has no image or one of a core built differently; a
   * StateImageError when the image does not fit this core (then build a new runner and replay).
   */
  restoreFrom(snapshot: SnapshotRecord): boolean {
    const state = snapshot.state as Partial<RunnerSnapshotState> | null;
    if (!state || typeof state !== 'object' || !state.image || state.imageKey !== this.imageKey) return false;
    this.core.restoreImage(state.image);
    this.marketSeq = snapshot.marketSeq;
    this.eventSeq = snapshot.eventSeq;
    // a force exit after the snapshot's last input happened after the snapshot was taken
    this.forcedExitsToReplay = this.forcedExitsAfter.filter((seq) => seq >= snapshot.marketSeq);
    return true;
  }

  /**
   * True when this runner, having processed the log up to a snapshot's seq, holds the same core
   * summary and event seq as the snapshot: the log and the snapshot tell the same story.
   */
  agreesWith(snapshot: SnapshotRecord): boolean {
    const state = snapshot.state;
    const core = state !== null && typeof state === 'object' && 'core' in state ? (state as { core: unknown }).core : state;
    return canonicalJson(this.snapshot()) === canonicalJson(core) && this.eventSeq === snapshot.eventSeq;
  }

  get lastCandleCloseTime(): number | null {
    return this.core.summary().time;
  }

  /** Feeds one logged market input (skipped when already processed) and adds its effects to `out`. */
  process(e: MarketEventRecord, out: RunnerOutput): void {
    if (e.seq <= this.marketSeq) return;
    this.forceExitIfDue(e.time, out);
    const input = decodeRecordedInput(e);
    if (input.kind === 'candle') {
      const last = this.core.summary().time;
      if (last !== null && input.candle.openTime < last) {
        this.marketSeq = e.seq;
        return;
      }
      if (last !== null && input.candle.openTime > last && !hasVenueGapBefore(e.data)) {
        throw new MarketDataGapError(
          `strategy ${this.record.id}: ${this.record.symbol} candles jump from ${new Date(last).toISOString()} to ${new Date(input.candle.openTime).toISOString()} (${(input.candle.openTime - last) / 60_000} minutes missing) and the source neither filled the hole nor confirmed it as a gap at the venue; stopped instead of trading across it`,
          { details: { strategyId: this.record.id, symbol: this.record.symbol, from: last, to: input.candle.openTime, seq: e.seq } },
        );
      }
      out.candles += 1;
    }
    const events = this.core.onInput(input);
    this.marketSeq = e.seq;
    this.collect(events, e.time, out);
  }

  /** A force exit recorded right after the current position (a rebuild), or one just asked for. */
  private forceExitIfDue(time: number, out: RunnerOutput): void {
    while (this.forcedExitsToReplay.length > 0 && this.forcedExitsToReplay[0]! < this.marketSeq) this.forcedExitsToReplay.shift();
    let isDue = false;
    if (this.forcedExitsToReplay[0] === this.marketSeq) {
      this.forcedExitsToReplay.shift();
      isDue = true;
    }
    if (this.isForceExitAsked) {
      this.isForceExitAsked = false;
      if (!isDue && this.core.positionSide() !== 'flat') {
        this.forcedExitsAfter.push(this.marketSeq);
        isDue = true;
      }
    }
    if (isDue) this.collect(this.core.forceExit(), time, out);
  }

  /** Convenience for tests and tools: a bare candle (not from the log). */
  processCandle(candle: Candle): RunnerOutput {
    const out = emptyOutput();
    out.candles += 1;
    this.collect(this.core.onMinuteCandle(candle), candle.closeTime, out);
    return out;
  }

  private collect(events: CoreEvent[], time: number, out: RunnerOutput): void {
    const changed = new Map<string, OrderRecord>();
    for (const e of events) {
      this.eventSeq += 1;
      const id = this.record.id;
      switch (e.type) {
        case 'trade':
          out.trades.push(toTradeRecord(id, this.record.symbol, e.trade));
          out.events.push({ strategyId: id, seq: this.eventSeq, type: 'trade', time: e.trade.time, data: toTradeRecord(id, this.record.symbol, e.trade) });
          break;
        case 'order':
          changed.set(e.order.orderId, toOrderRecord(id, this.record.symbol, e.order));
          out.events.push({ strategyId: id, seq: this.eventSeq, type: `order.${e.change}`, time: e.order.updatedAt, data: e.order });
          break;
        case 'order-rejected':
          out.rejections.push({ orderId: e.orderId, reason: e.reason, message: e.message, time: e.time });
          out.events.push({ strategyId: id, seq: this.eventSeq, type: 'order.rejected.reason', time: e.time, data: { orderId: e.orderId, reason: e.reason, message: e.message } });
          break;
        case 'signal':
          out.events.push({ strategyId: id, seq: this.eventSeq, type: 'signal', time: e.time, data: { signal: e.signal, price: e.price } });
          break;
      }
    }
    void time;
    if (changed.size > 0) {
      const byId = new Map(out.orders.map((o) => [o.orderId, o] as const));
      for (const [k, v] of changed) byId.set(k, v);
      out.orders = [...byId.values()];
    }
  }

  snapshot(): CoreSnapshot {
    return this.core.snapshot();
  }

  state(): StrategyState {
    const s = this.core.summary();
    return {
      strategyId: this.record.id,
      time: s.time ?? 0,
      cash: s.ledger.cash,
      equity: s.equity,
      positionQty: s.ledger.quantity,
      avgEntryPrice: s.ledger.avgEntryPrice,
      realizedPnl: s.ledger.realizedPnl,
      unrealizedPnl: s.unrealizedPnl,
      feesPaid: s.ledger.feesPaid,
      lastPrice: s.lastPrice === null ? null : toDecimalString(dec(s.lastPrice)),
      lastCandleCloseTime: s.time,
      tradeCount: s.tradeCount,
      core: {
        ready: s.ready,
        orderCount: s.orderCount,
        openOrders: s.openOrders,
        available: s.available,
        reserved: s.reserved,
        tradingStartTime: this.tradingStartTime,
        warmupMinutes: this.core.logic.warmupMinutes,
        marketSeq: this.marketSeq,
        eventSeq: this.eventSeq,
        run: this.run,
        eventBase: this.eventBase,
        forcedExitsAfter: [...this.forcedExitsAfter],
        execution: this.execution,
      },
    };
  }

  positions(): PositionRecord[] {
    const s = this.core.summary();
    return [
      {
        strategyId: this.record.id,
        symbol: this.record.symbol,
        quantity: s.ledger.quantity,
        averagePrice: s.ledger.avgEntryPrice,
        unrealizedPnl: s.unrealizedPnl,
        realizedPnl: s.ledger.realizedPnl,
        updatedAt: s.time ?? 0,
      },
    ];
  }

  /** What one processed batch changed, as the store writes it (state last). */
  effectsOf(out: RunnerOutput): StrategyEffects {
    const point = out.candles > 0 ? this.equityPoint() : null;
    return { trades: out.trades, orders: out.orders, events: out.events, positions: this.positions(), equity: point ? [point] : [], state: this.state() };
  }

  equityPoint(): EquityPoint | null {
    const s = this.core.summary();
    return s.time === null ? null : { time: s.time, equity: s.equity };
  }
}

export function toTradeRecord(strategyId: string, symbol: string, t: CoreTrade): TradeRecord {
  return { strategyId, symbol, ...tradeView(t) };
}

export function toOrderRecord(strategyId: string, symbol: string, o: CoreOrder): OrderRecord {
  return { strategyId, symbol, ...o };
}

/** The candle record says the minutes before it have no candle at the venue (the source confirmed a halt). */
function hasVenueGapBefore(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'venueGapBefore' in data && Boolean((data as { venueGapBefore?: unknown }).venueGapBefore);
}
