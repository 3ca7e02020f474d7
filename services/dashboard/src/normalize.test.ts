import { describe, expect, it } from 'vitest';
import { addDecimal, drawdownOf, mergeStrategy, subDecimal, toCandles, toFeed, toStrategies, toTrades } from './normalize.js';
import { parseSseBlock, diffOverview } from './live-hub.js';
import { jsonForScript } from './format.js';

const T = 1_767_614_400_000;

describe('decimal strings', () => {
  it('subtracts and adds exactly', () => {
    expect(subDecimal('10013.5', '10000')).toBe('13.5');
    expect(subDecimal('9999.99999999', '10000')).toBe('-0.00000001');
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('-352.8468211', '19.1765856')).toBe('-333.6702355');
    expect(subDecimal('1e3', '1')).toBeNull();
  });
});

describe('api answers', () => {
  it('reads the active list and derives PnL when the API leaves it out', () => {
    const [s] = toStrategies({ items: [{ id: 'a', name: 'A', status: 'running', symbol: 'BTCUSDT', equity: '10050.25', initialCash: '10000', tradeCount: 3, lastTrades: [{ tradeId: 't', orderId: 'o', side: 'buy', quantity: '0.1', price: '95000', time: 1 }] }] });
    expect(s!.pnl).toBe('50.25');
    expect(s!.lastTrades[0]!.price).toBe('95000');
  });

  it('keeps list fields when a detail answer has empty ones', () => {
    const base = toStrategies({ items: [{ id: 'a', name: 'A', symbol: 'BTCUSDT', status: 'running' }] })[0]!;
    const merged = mergeStrategy(base, { ...base, symbol: '', name: 'a', status: 'unknown', equity: '1' });
    expect(merged.symbol).toBe('BTCUSDT');
    expect(merged.status).toBe('running');
    expect(merged.equity).toBe('1');
  });

  it('treats stale, degraded and stopped feeds as stale and reads the nested status', () => {
    expect(toFeed({ available: true, isSimulated: true, status: { source: 'simulated', isSimulated: true, state: 'live' } })).toMatchObject({ isSimulated: true, isStale: false });
    expect(toFeed({ status: { source: 'binance', isSimulated: false, state: 'degraded' } })).toMatchObject({ isSimulated: false, isStale: true });
  });

  it('sorts and de-duplicates candles and rejects incomplete rows', () => {
    const c = toCandles([
      { openTime: T + 120_000, open: '2', high: '3', low: '1', close: '2' },
      { openTime: T + 60_000, open: '1', high: '2', low: '1', close: '1' },
      { openTime: T + 120_000, open: '2', high: '4', low: '1', close: '3' },
      { openTime: T + 180_000, open: '2' },
    ]);
    expect(c.map((x) => [x.time - T, x.close])).toEqual([
      [60_000, 1],
      [120_000, 3],
    ]);
    // Binance kline arrays and epoch seconds are read too
    expect(toCandles([[T / 1000, '1', '2', '0.5', '1.5', '9']])).toEqual([{ time: T, open: 1, high: 2, low: 0.5, close: 1.5, volume: 9 }]);
  });

  it('ignores trades without side or price', () => {
    expect(toTrades({ items: [{ side: 'hold', price: '1', quantity: '1' }, { side: 'sell', quantity: '1' }, { side: 'SELL', price: '2', quantity: '1', time: 5 }] })).toHaveLength(1);
  });

  it('computes drawdown below the running peak', () => {
    expect(drawdownOf([{ time: 1, equity: 100 }, { time: 2, equity: 110 }, { time: 3, equity: 99 }, { time: 4, equity: 120 }]).map((d) => d.drawdownPct)).toEqual([0, 0, -10, 0]);
  });
});

describe('live relay', () => {
  it('parses the API event stream: envelopes, named events and the feed snapshot', () => {
    expect(parseSseBlock('id: x|1-0\nevent: fill\ndata: {"kind":"fill","type":"strategy.order.filled","tsEvent":5,"payload":{"strategyId":"a"}}')).toEqual({ type: 'strategy.order.filled', payload: { strategyId: 'a' }, time: 5 });
    expect(parseSseBlock('event: feed-snapshot\ndata: {"available":true,"isSimulated":true,"status":null}')).toEqual({ type: 'market.feed.status', payload: { available: true, isSimulated: true, status: null } });
    expect(parseSseBlock(': heartbeat 1')).toBeNull();
    expect(parseSseBlock('data: not json')).toBeNull();
  });

  it('turns two polls into the events the API would have sent', () => {
    const s = (equity: string, trades: string[]) => toStrategies({ items: [{ id: 'a', name: 'A', status: 'running', equity, initialCash: '100', lastTrades: trades.map((t, i) => ({ tradeId: t, orderId: t, side: 'buy', price: '1', quantity: '1', time: i })) }] })[0]!;
    const prev = new Map([['a', s('100', ['t1'])]]);
    const evs = diffOverview(prev, 'null', { feed: null, feedError: null, strategies: [s('101', ['t2', 't1'])], error: null, generatedAt: 9 });
    expect(evs.map((e) => e.type)).toEqual(['strategy.order.filled', 'strategy.equity.updated']);
    expect(diffOverview(new Map([['a', s('101', ['t2', 't1'])]]), 'null', { feed: null, feedError: null, strategies: [s('101', ['t2', 't1'])], error: null, generatedAt: 10 })).toEqual([]);
  });

  it('embeds JSON in a script element without letting it close the element', () => {
    expect(jsonForScript({ a: '</script><script>alert(1)</script>' })).not.toContain('</script>');
  });
});
