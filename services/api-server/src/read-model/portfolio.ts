import type { DailyProfitDto, PortfolioResponse } from '@btc-research/contracts';
import { Decimal, toDecimalString } from '@btc-research/engine';
import { LIVE_STRATEGY_STATUSES, type EquityPoint, type StrategyRecord, type StrategyStore } from '@btc-research/platform';
import { summarizeStrategy } from './strategy-read-model.js';

const DAY_MS = 86_400_000;
/** how far before the first day the equity curve is read to find the equity each day opened with */
const LOOKBACK_DAYS = 7;
const READ_CHUNK = 10_000;

const NOTE = 'Each strategy trades its own simulated account; totals and daily profit add them up in their quote currencies (USDT, USDC, …). Days follow the market time of the equity curves (UTC).';

function dayOf(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

function isoDay(start: number): string {
  return new Date(start).toISOString().slice(0, 10);
}

async function equitySince(store: StrategyStore, id: string, since: number): Promise<EquityPoint[]> {
  const out: EquityPoint[] = [];
  for (let from = since; ; ) {
    const chunk = await store.listEquity(id, from, READ_CHUNK);
    out.push(...chunk);
    if (chunk.length < READ_CHUNK) return out;
    from = chunk[chunk.length - 1]!.time + 1;
  }
}

interface DayChange {
  open: Decimal;
  change: Decimal;
}

/**
 * The equity a strategy closed each day with (the last point before the next day's start), and the
 * one it opened the first day with: the last point before it, or its initial cash when the curve was
 * read from the strategy's creation. Days whose opening equity is unknown are left out for it.
 */
function dailyChanges(record: StrategyRecord, points: readonly EquityPoint[], firstDay: number, lastDay: number, readFrom: number): Map<number, DayChange> {
  const changes = new Map<number, DayChange>();
  let i = 0;
  let open: Decimal | null = record.createdAt >= readFrom ? new Decimal(record.initialCash) : null;
  while (i < points.length && points[i]!.time < firstDay) open = new Decimal(points[i++]!.equity);
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    let close: Decimal | null = null;
    while (i < points.length && points[i]!.time < day + DAY_MS) close = new Decimal(points[i++]!.equity);
    if (close !== null && open === null && record.createdAt >= day) open = new Decimal(record.initialCash);
    if (close !== null && open !== null) changes.set(day, { open, change: close.minus(open) });
    if (close !== null) open = close;
  }
  return changes;
}

/** Totals over every strategy and the daily profit of the last `days` market days, summed. */
export async function portfolio(store: StrategyStore, days: number, now: number): Promise<PortfolioResponse> {
  const records = await store.listStrategies();
  const summaries = await Promise.all(records.map((r) => summarizeStrategy(store, r)));
  let initialCash = new Decimal(0);
  let equity = new Decimal(0);
  for (const s of summaries) {
    initialCash = initialCash.plus(s.initialCash);
    equity = equity.plus(s.equity);
  }
  const pnl = equity.minus(initialCash);

  // "today" is the market day of the newest state: a replay or the simulator may run in another year
  const stateTimes = await Promise.all(records.map(async (r) => (await store.loadState(r.id))?.time ?? null));
  const latest = Math.max(...stateTimes.filter((t): t is number => t !== null), -Infinity);
  const daily: DailyProfitDto[] = [];
  if (Number.isFinite(latest)) {
    const lastDay = dayOf(latest);
    const firstDay = lastDay - (days - 1) * DAY_MS;
    const readFrom = firstDay - LOOKBACK_DAYS * DAY_MS;
    const perStrategy = await Promise.all(records.map(async (r) => dailyChanges(r, await equitySince(store, r.id, readFrom), firstDay, lastDay, readFrom)));
    const isAnyLive = records.some((r) => LIVE_STRATEGY_STATUSES.has(r.status));
    for (let day = firstDay; day <= lastDay; day += DAY_MS) {
      const changes = perStrategy.map((m) => m.get(day)).filter((d): d is DayChange => d !== undefined);
      if (changes.length === 0) continue;
      const sum = changes.reduce((a, b) => a.plus(b.change), new Decimal(0));
      const opened = changes.reduce((a, b) => a.plus(b.open), new Decimal(0));
      const pnlPct = opened.isZero() ? null : sum.div(opened).times(100).toDecimalPlaces(6, Decimal.ROUND_DOWN).toNumber();
      daily.push({ day: isoDay(day), startTime: day, pnl: toDecimalString(sum), pnlPct, strategies: changes.length, isPartial: day === lastDay && isAnyLive });
    }
  }
  return {
    asOf: now,
    note: NOTE,
    totals: {
      strategies: records.length,
      live: records.filter((r) => LIVE_STRATEGY_STATUSES.has(r.status)).length,
      initialCash: toDecimalString(initialCash),
      equity: toDecimalString(equity),
      pnl: toDecimalString(pnl),
      pnlPct: initialCash.isZero() ? null : pnl.div(initialCash).times(100).toDecimalPlaces(6, Decimal.ROUND_DOWN).toNumber(),
    },
    daily,
  };
}
