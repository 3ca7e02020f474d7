import { describe, expect, it } from 'vitest';
import type { MarketFeedStatusV1, StrategyEquityV1 } from '@btc-research/contracts';
import { DAY_MS, DrawdownWatch, FEED_ALERT_WINDOW_MS, FeedWatch, dailySummaryEvent, statusEvent } from './notification-events.js';

const T0 = Date.UTC(2026, 11, 4);

function equity(time: number, value: string): StrategyEquityV1 {
  return { strategyId: 's1', time, equity: value, cash: value, positionQty: '0', realizedPnl: '0', unrealizedPnl: '0', lastPrice: null };
}

function feed(overrides: Partial<MarketFeedStatusV1>): MarketFeedStatusV1 {
  return { source: 'binance', requestedSource: 'auto', isSimulated: false, state: 'live', circuit: 'closed', symbols: ['BTCUSDT'], lastCandleCloseTime: null, lagMs: 120, reconnects: 0, message: '', ...overrides };
}

describe('drawdown watch', () => {
  it('alerts once when equity falls the threshold below its peak, again only after a new peak', () => {
    const watch = new DrawdownWatch();
    const seen = [
      equity(T0, '10000'),
      equity(T0 + 1, '10500'),
      equity(T0 + 2, '9500'), // 9.52 % below 10500
      equity(T0 + 3, '9449.99'), // 10.0001 % below: alert
      equity(T0 + 4, '9000'), // deeper, same episode: nothing
      equity(T0 + 5, '10600'), // new peak
      equity(T0 + 6, '9540'), // exactly 10 % below 10600: alert
    ].map((p) => watch.next(p, 0.1));
    expect(seen.map((e) => e?.id ?? null)).toEqual([null, null, null, `drawdown:s1:${T0 + 1}`, null, null, `drawdown:s1:${T0 + 5}`]);
    expect(seen[3]).toMatchObject({ type: 'drawdown.exceeded', data: { equity: '9449.99', peakEquity: '10500', drawdown: '0.10000095', threshold: '0.1' } });
  });

  it('after a restart, seeded with the stored peak, raises the same alert id (the outbox keeps one)', () => {
    const before = new DrawdownWatch();
    before.next(equity(T0 + 1, '10500'), 0.05);
    const first = before.next(equity(T0 + 2, '9900'), 0.05);
    const after = new DrawdownWatch();
    after.seed('s1', { equity: '10500', time: T0 + 1 });
    expect(after.next(equity(T0 + 3, '9800'), 0.05)?.id).toBe(first?.id);
  });
});

describe('feed watch', () => {
  it('tells once that data fell back to simulated, and once that it went stale, until it recovers', () => {
    const watch = new FeedWatch();
    expect(watch.next(feed({}), T0)).toEqual([]);
    const fallback = watch.next(feed({ source: 'simulated', isSimulated: true, message: 'Binance unreachable; using the simulator' }), T0 + 1);
    expect(fallback).toEqual([expect.objectContaining({ id: `feed:simulated:${T0 / FEED_ALERT_WINDOW_MS}`, type: 'feed.simulated', strategyId: null })]);
    expect(fallback[0]?.text).toContain('SIMULATED');
    expect(watch.next(feed({ source: 'simulated', isSimulated: true }), T0 + 2)).toEqual([]);
    expect(watch.next(feed({}), T0 + 3)).toEqual([]);
    expect(watch.next(feed({ state: 'stale', lagMs: 180_000 }), T0 + 4).map((e) => e.type)).toEqual(['feed.stale']);
    expect(watch.next(feed({ state: 'stale', lagMs: 240_000 }), T0 + 5)).toEqual([]);
  });

  it('gives a second worker (or a restarted one) seeing the same fallback the same id', () => {
    const a = new FeedWatch().next(feed({ source: 'simulated', isSimulated: true }), T0 + 1_000);
    const b = new FeedWatch().next(feed({ source: 'simulated', isSimulated: true }), T0 + 5 * 60_000);
    expect(b.map((e) => e.id)).toEqual(a.map((e) => e.id));
  });
});

describe('status and daily summary events', () => {
  it('maps running, stopped and error; says nothing on starting or warming-up', () => {
    expect(statusEvent({ strategyId: 's1', status: 'warming-up', error: null, time: T0 })).toBeNull();
    expect(statusEvent({ strategyId: 's1', status: 'error', error: 'corrupt candle', time: T0 })).toMatchObject({ id: `status:s1:${T0}:errored`, type: 'strategy.errored', text: 'strategy stopped with an error: corrupt candle' });
  });

  it('summarises a UTC day, and says so when there is not enough data', () => {
    const day = dailySummaryEvent({ strategyId: 's1', dayStart: T0, fills: 3, equityAtStart: '10000', equityAtEnd: '10123.45', realizedPnl: '98.7' });
    expect(day).toMatchObject({ id: 'daily:s1:2026-12-04', time: T0 + DAY_MS, data: { day: '2026-12-04', fills: 3, equity: '10123.45', pnl: '123.45', realizedPnl: '98.7' } });
    const empty = dailySummaryEvent({ strategyId: 's1', dayStart: T0, fills: 0, equityAtStart: null, equityAtEnd: null, realizedPnl: null });
    expect(empty.data).toEqual({ day: '2026-12-04', fills: 0, equity: null, pnl: null, realizedPnl: null });
    expect(empty.text).toContain('not enough data');
  });
});
