/**
 * Turns what the system announces (fills, status changes, feed status, equity) into notification
 * events. Pure functions and small state machines: no I/O. Every event id is derived from what it
 * reports, so a redelivered input, a second worker or a restart produces the same id and the
 * outbox keeps one row per id and channel.
 */
import type { MarketFeedStatusV1, NotificationEventV1, StrategyEquityV1, StrategyFillV1, StrategyStatusChangedV1 } from '@btc-research/contracts';
import { dec, toDecimalString } from '@btc-research/engine';

export function fillEvent(fill: StrategyFillV1): NotificationEventV1 {
  const verb = fill.side === 'buy' ? 'bought' : 'sold';
  const pnl = dec(fill.realizedPnl).isZero() ? '' : `, realized PnL ${fill.realizedPnl}`;
  return {
    id: `fill:${fill.tradeId}`,
    type: 'fill',
    time: fill.time,
    strategyId: fill.strategyId,
    text: `paper ${verb} ${fill.quantity} ${fill.symbol} at ${fill.price} (fee ${fill.fee}${pnl}; ${fill.reason})`,
    data: { tradeId: fill.tradeId, orderId: fill.orderId, symbol: fill.symbol, side: fill.side, quantity: fill.quantity, price: fill.price, fee: fill.fee, realizedPnl: fill.realizedPnl, reason: fill.reason },
  };
}

/** running → started, stopped → stopped, error → errored; starting and warming-up say nothing. */
export function statusEvent(change: StrategyStatusChangedV1): NotificationEventV1 | null {
  const base = { time: change.time, strategyId: change.strategyId, data: { error: change.error } };
  const id = (kind: string): string => `status:${change.strategyId}:${change.time}:${kind}`;
  switch (change.status) {
    case 'running':
      return { ...base, id: id('started'), type: 'strategy.started', text: 'strategy is running (paper trading)' };
    case 'stopped':
      return { ...base, id: id('stopped'), type: 'strategy.stopped', text: 'strategy stopped' };
    case 'error':
      return { ...base, id: id('errored'), type: 'strategy.errored', text: `strategy stopped with an error: ${change.error ?? 'no message'}` };
    default:
      return null;
  }
}

/** feed alerts of one kind within this window share an id (see FeedWatch) */
export const FEED_ALERT_WINDOW_MS = 10 * 60_000;

/**
 * The feed's state over time: one event when it falls back to simulated data and one when it goes
 * stale, each again only after it had recovered. The first status a watcher sees counts as a
 * change, so the id is the kind and a 10-minute window: several workers (each sees part of the
 * statuses) and a restarted worker raise the same id, which the outbox keeps once.
 */
export class FeedWatch {
  private simulated = false;
  private stale = false;

  next(status: MarketFeedStatusV1, time: number): NotificationEventV1[] {
    const out: NotificationEventV1[] = [];
    const data = { source: status.source, state: status.state, isSimulated: status.isSimulated, lagMs: status.lagMs, message: status.message };
    if (status.isSimulated && !this.simulated) {
      out.push({
        id: `feed:simulated:${Math.floor(time / FEED_ALERT_WINDOW_MS)}`,
        type: 'feed.simulated',
        time,
        strategyId: null,
        text: `market data is SIMULATED (requested ${status.requestedSource}): prices are not real. ${status.message}`.trim(),
        data,
      });
    }
    const isStale = status.state === 'stale';
    if (isStale && !this.stale) {
      out.push({ id: `feed:stale:${Math.floor(time / FEED_ALERT_WINDOW_MS)}`, type: 'feed.stale', time, strategyId: null, text: `market data went stale (${status.source}, lag ${status.lagMs ?? 'unknown'} ms): ${status.message}`, data });
    }
    this.simulated = status.isSimulated;
    this.stale = isStale;
    return out;
  }
}

/**
 * Drawdown from the equity peak, per strategy. One alert per peak: the id is the peak's time, so
 * it is raised once when equity first falls `threshold` below that peak, and again only after a
 * new peak.
 */
export class DrawdownWatch {
  private readonly peaks = new Map<string, { equity: string; time: number; alerted: boolean }>();

  /** Seeds a strategy's peak (from its stored equity curve, after a restart). */
  seed(strategyId: string, peak: { equity: string; time: number } | null): void {
    if (peak && !this.peaks.has(strategyId)) this.peaks.set(strategyId, { ...peak, alerted: false });
  }

  has(strategyId: string): boolean {
    return this.peaks.has(strategyId);
  }

  next(point: StrategyEquityV1, threshold: number): NotificationEventV1 | null {
    const peak = this.peaks.get(point.strategyId);
    if (!peak || dec(point.equity).gt(peak.equity)) {
      this.peaks.set(point.strategyId, { equity: point.equity, time: point.time, alerted: false });
      return null;
    }
    if (peak.alerted || dec(peak.equity).lte(0)) return null;
    const drawdown = dec(peak.equity).minus(point.equity).div(peak.equity);
    if (drawdown.lt(threshold)) return null;
    peak.alerted = true;
    const pct = drawdown.times(100).toDecimalPlaces(2).toString();
    return {
      id: `drawdown:${point.strategyId}:${peak.time}`,
      type: 'drawdown.exceeded',
      time: point.time,
      strategyId: point.strategyId,
      text: `drawdown ${pct} % below the peak ${peak.equity} (equity ${point.equity}; threshold ${String(threshold * 100)} %)`,
      data: { equity: point.equity, peakEquity: peak.equity, drawdown: toDecimalString(drawdown.toDecimalPlaces(8)), threshold: toDecimalString(dec(threshold)) },
    };
  }
}

export const DAY_MS = 86_400_000;

export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export interface DaySummaryInput {
  strategyId: string;
  /** the day's start (00:00 UTC, epoch ms) */
  dayStart: number;
  fills: number;
  /** first equity point of the day, if any */
  equityAtStart: string | null;
  /** last equity point of the day, if any */
  equityAtEnd: string | null;
  realizedPnl: string | null;
}

export function dailySummaryEvent(input: DaySummaryInput): NotificationEventV1 {
  const day = utcDay(input.dayStart);
  const pnl = input.equityAtStart !== null && input.equityAtEnd !== null ? toDecimalString(dec(input.equityAtEnd).minus(input.equityAtStart)) : null;
  const equityText = input.equityAtEnd === null ? 'no equity recorded (not enough data)' : `equity ${input.equityAtEnd}${pnl === null ? ' (day change: not enough data)' : `, day change ${pnl}`}`;
  return {
    id: `daily:${input.strategyId}:${day}`,
    type: 'daily.summary',
    time: input.dayStart + DAY_MS,
    strategyId: input.strategyId,
    text: `daily summary ${day} (UTC): ${input.fills} fill${input.fills === 1 ? '' : 's'}, ${equityText}`,
    data: { day, fills: input.fills, equity: input.equityAtEnd, pnl, realizedPnl: input.realizedPnl },
  };
}
