import { MessageType, type StrategyEquityV1, type StrategyStatusChangedV1, type StrategySummaryDto } from '@btc-research/contracts';
import type { OverviewData } from '../page-data/overview.js';
import type { LiveEvent } from './live-event.js';

/** Two polls of the API, as the relay remembers them. */
export interface OverviewPoll {
  strategies: ReadonlyMap<string, StrategySummaryDto>;
  /** JSON of the feed status, to notice any change */
  feed: string;
}

export function pollOf(data: OverviewData): OverviewPoll {
  return { strategies: new Map(data.strategies.map((s) => [s.id, s])), feed: JSON.stringify(data.feed) };
}

/** An equity event as the paper-trader publishes it, plus the PnL and trade count a poll also knows. */
function equityEvent(s: StrategySummaryDto, time: number): LiveEvent {
  const payload: StrategyEquityV1 & Pick<StrategySummaryDto, 'pnl' | 'tradeCount'> = {
    strategyId: s.id,
    time,
    equity: s.equity,
    cash: s.cash,
    positionQty: s.positionQty,
    realizedPnl: s.realizedPnl,
    unrealizedPnl: s.unrealizedPnl,
    lastPrice: s.lastPrice,
    pnl: s.pnl,
    tradeCount: s.tradeCount,
  };
  return { type: MessageType.strategyEquity, payload, time };
}

function strategyEvents(previous: StrategySummaryDto | undefined, s: StrategySummaryDto, time: number): LiveEvent[] {
  const out: LiveEvent[] = [];
  if (!previous || previous.status !== s.status || previous.error !== s.error) {
    const payload: StrategyStatusChangedV1 = { strategyId: s.id, status: s.status, error: s.error, time };
    out.push({ type: MessageType.strategyStatus, payload, time });
  }
  const known = new Set((previous?.lastTrades ?? []).map((t) => t.tradeId));
  const fresh = s.lastTrades.filter((t) => !known.has(t.tradeId)).sort((a, b) => a.time - b.time);
  for (const t of fresh) out.push({ type: MessageType.strategyFill, payload: t, time: t.time });
  const changed = !previous || previous.equity !== s.equity || previous.pnl !== s.pnl || previous.tradeCount !== s.tradeCount || previous.positionQty !== s.positionQty;
  if (changed) out.push(equityEvent(s, time));
  return out;
}

/** Turns two polls of the API into the events its event stream would have sent. */
export function diffOverview(previous: OverviewPoll | null, data: OverviewData): LiveEvent[] {
  const time = data.generatedAt;
  const out: LiveEvent[] = [];
  if (data.feed && JSON.stringify(data.feed) !== previous?.feed) out.push({ type: MessageType.feedStatus, payload: data.feed, time });
  for (const s of data.strategies) out.push(...strategyEvents(previous?.strategies.get(s.id), s, time));
  return out;
}
