import { FeedStatusResponse, LiveEventMessage, MessageType, StrategyFillV1 } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import { feedStatusFixture, T0, tradeFixture } from '../test-support/fixtures.js';
import { readSseBlock } from './sse-block.js';

/** One block as GET /api/v1/events writes it: `id`, `event` (the kind) and the LiveEventMessage as data. */
function block(message: LiveEventMessage): string {
  return `id: ${message.cursor}\nevent: ${message.kind}\ndata: ${JSON.stringify(LiveEventMessage.parse(message))}`;
}

const { liquidity: _l, quality: _q, ...fill } = tradeFixture({ price: '96000.00' });

describe("reading the API's event stream", () => {
  it('reads a fill whose payload matches strategy.order.filled', () => {
    const read = readSseBlock(block({ kind: 'fill', cursor: 'strategy:events|5-0', strategyId: 'demo-rsi', type: MessageType.strategyFill, tsEvent: T0, payload: StrategyFillV1.parse(fill) }));
    expect(read).toEqual({ event: { type: MessageType.strategyFill, payload: fill, time: T0 } });
  });

  it('turns the feed snapshot sent first into a feed status event, and skips it while there is none', () => {
    const status = feedStatusFixture({ state: 'stale' });
    const snapshot = FeedStatusResponse.parse({ available: true, isSimulated: true, status, receivedAt: T0 });
    expect(readSseBlock(`event: feed-snapshot\ndata: ${JSON.stringify(snapshot)}`)).toEqual({ event: { type: MessageType.feedStatus, payload: status } });
    expect(readSseBlock('event: feed-snapshot\ndata: {"available":false,"isSimulated":false,"status":null,"receivedAt":null}')).toBeNull();
  });

  it('ignores comments and heartbeats', () => {
    expect(readSseBlock(': heartbeat 1')).toBeNull();
    expect(readSseBlock('retry: 2000\n: connected')).toBeNull();
  });

  it('reports what is outside the contract instead of passing it on', () => {
    expect(readSseBlock('data: not json')).toEqual({ issue: expect.stringContaining('not JSON') });
    const withoutPrice = { ...fill } as Record<string, unknown>;
    delete withoutPrice['price'];
    const bad = `event: fill\ndata: ${JSON.stringify({ kind: 'fill', cursor: 'c|1-0', strategyId: 'demo-rsi', type: MessageType.strategyFill, tsEvent: T0, payload: withoutPrice })}`;
    expect(readSseBlock(bad)).toEqual({ issue: expect.stringMatching(/^strategy\.order\.filled: price: /) });
    expect(readSseBlock('event: fill\ndata: {"type":"strategy.order.filled","payload":{}}')).toEqual({ issue: expect.stringMatching(/^event outside its contract: kind: /) });
  });
});
