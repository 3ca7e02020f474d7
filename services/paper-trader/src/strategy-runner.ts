import { TradingCore, buildTradingSetup, dec, toDecimalString, type Candle, type CoreTrade, type ConfigProblem } from '@btc-research/engine';
import type { EquityPoint, PositionRecord, StrategyRecord, StrategyState, TradeRecord } from '@btc-research/platform';

export interface RunnerOutput {
  trades: TradeRecord[];
  rejections: Array<{ orderId: string; reason: string; message: string; time: number }>;
}

/**
 * One strategy with its own virtual account: a TradingCore built from the stored YAML. It is rebuilt
 * on every start by replaying the candle log, so its state is a pure function of config and candles.
 */
export class StrategyRunner {
  private constructor(
    readonly record: StrategyRecord,
    readonly core: TradingCore,
    readonly tradingStartTime: number,
  ) {}

  static create(record: StrategyRecord, tradingStartTime: number): { ok: true; runner: StrategyRunner } | { ok: false; errors: ConfigProblem[] } {
    const setup = buildTradingSetup(record.configYaml, record.configName, { strategyId: record.id, initialCash: record.initialCash, tradingStartTime });
    if (!setup.ok) return { ok: false, errors: setup.errors };
    return { ok: true, runner: new StrategyRunner(record, new TradingCore(setup.strategy, setup.coreOptions), tradingStartTime) };
  }

  get lastCandleCloseTime(): number | null {
    return this.core.summary().time;
  }

  /** Feeds one closed 1m candle; returns the trades it caused. Candles at or before the last are ignored. */
  process(candle: Candle): RunnerOutput {
    const last = this.core.summary().time;
    if (last !== null && candle.openTime < last) return { trades: [], rejections: [] };
    const out: RunnerOutput = { trades: [], rejections: [] };
    for (const e of this.core.onMinuteCandle(candle)) {
      if (e.type === 'trade') out.trades.push(toTradeRecord(this.record.id, this.record.symbol, e.trade));
      else if (e.type === 'order-rejected') out.rejections.push({ orderId: e.orderId, reason: e.reason, message: e.message, time: e.time });
    }
    return out;
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
      core: { ready: s.ready, orderCount: s.orderCount, tradingStartTime: this.tradingStartTime, warmupMinutes: this.core.logic.warmupMinutes },
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

  equityPoint(): EquityPoint | null {
    const s = this.core.summary();
    return s.time === null ? null : { time: s.time, equity: s.equity };
  }
}

function toTradeRecord(strategyId: string, symbol: string, t: CoreTrade): TradeRecord {
  return {
    strategyId,
    tradeId: t.tradeId,
    orderId: t.orderId,
    symbol,
    side: t.side,
    quantity: toDecimalString(t.quantity),
    price: toDecimalString(t.price),
    fee: toDecimalString(t.fee),
    realizedPnl: toDecimalString(t.realizedPnl),
    reason: t.reason,
    time: t.time,
  };
}
