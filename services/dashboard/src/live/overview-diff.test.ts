import { MessageType, payloadSchema } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import type { OverviewData } from '../page-data/overview.js';
import { toFeedView } from '../page-data/feed.js';
import { feedStatusFixture, strategySummaryFixture, T0, tradeFixture } from '../test-support/fixtures.js';
import { diffOverview, pollOf } from './overview-diff.js';

function poll(equity: string, tradeIds: string[], status: 'running' | 'error' = 'running', at = T0): OverviewData {
  // newest first, as the API lists them
  const lastTrades = tradeIds.map((id, i) => tradeFixture({ tradeId: id, orderId: id, time: T0 + tradeIds.length - i }));
  return { feed: toFeedView(feedStatusFixture()), feedError: null, strategies: [strategySummaryFixture({ equity, status, lastTrades })], error: null, generatedAt: at };
}

describe('relay polling the API', () => {
  it('turns two polls into the events the API would have sent, oldest fill first', () => {
    const events = diffOverview(pollOf(poll('10000', ['t1'])), poll('10001', ['t3', 't2', 't1'], 'error'));
    expect(events.map((e) => e.type)).toEqual([MessageType.strategyStatus, MessageType.strategyFill, MessageType.strategyFill, MessageType.strategyEquity]);
    expect(events.filter((e) => e.type === MessageType.strategyFill).map((e) => (e.payload as { tradeId: string }).tradeId)).toEqual(['t2', 't3']);
  });

  it('sends nothing when nothing changed, and everything on the first poll', () => {
    const data = poll('10000', ['t1']);
    expect(diffOverview(pollOf(data), { ...data, generatedAt: T0 + 1 })).toEqual([]);
    expect(diffOverview(null, data).map((e) => e.type)).toEqual([MessageType.feedStatus, MessageType.strategyStatus, MessageType.strategyFill, MessageType.strategyEquity]);
  });

  it("sends payloads that match the bus messages' contract schemas", () => {
    for (const event of diffOverview(null, poll('10000', ['t1']))) {
      expect(payloadSchema(event.type, 1)!.safeParse(event.payload).success, event.type).toBe(true);
    }
  });
});
