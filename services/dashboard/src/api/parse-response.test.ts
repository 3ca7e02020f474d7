import { describe, expect, it } from 'vitest';
import { ApiContractError } from './api-errors.js';
import { endpoints } from './endpoints.js';
import { parseResponse } from './parse-response.js';
import { activeStrategiesFixture, marketDataFixture, statsFixture, strategySummaryFixture } from '../test-support/fixtures.js';

/** A JSON copy of an answer, as it travels over HTTP, that a test may break. */
function wire<T>(value: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

describe('answers read through their contract schema', () => {
  it('accepts what the contract describes', () => {
    const active = activeStrategiesFixture();
    expect(parseResponse(endpoints.activeStrategies(), wire(active))).toEqual(active);
    expect(parseResponse(endpoints.strategyStats('demo-rsi'), wire(statsFixture())).winRatePct).toBeCloseTo(28.571, 3);
    expect(parseResponse(endpoints.marketData('BTCUSDT', '1m', 5), wire(marketDataFixture())).candles['1m']).toHaveLength(1);
  });

  it('refuses an answer without a field the contract requires and names the field', () => {
    const body = wire(activeStrategiesFixture());
    const item = (body['items'] as Record<string, unknown>[])[0]!;
    delete item['pnl'];
    const read = (): unknown => parseResponse(endpoints.activeStrategies(), body);
    expect(read).toThrow(ApiContractError);
    expect(read).toThrow(/^GET \/api\/v1\/strategies\/active answered outside its contract: items\.0\.pnl: /);
  });

  it('refuses a renamed field instead of showing a blank cell', () => {
    const body = wire(activeStrategiesFixture([strategySummaryFixture(), strategySummaryFixture({ id: 'demo-ema-cross' })]));
    const second = (body['items'] as Record<string, unknown>[])[1]!;
    second['totalPnl'] = second['pnl'];
    delete second['pnl'];
    try {
      parseResponse(endpoints.activeStrategies(), body);
      expect.unreachable('a renamed field must not pass');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiContractError);
      expect((err as ApiContractError).issues).toEqual([expect.stringMatching(/^items\.1\.pnl: /)]);
      expect((err as ApiContractError).path).toBe('/api/v1/strategies/active');
    }
  });

  it('refuses money sent as a JSON number and a candle without its close', () => {
    const stats = wire(statsFixture());
    stats['equity'] = 10012.5;
    expect(() => parseResponse(endpoints.strategyStats('demo-rsi'), stats)).toThrow(/equity: /);
    const market = wire(marketDataFixture());
    delete ((market['candles'] as Record<string, Record<string, unknown>[]>)['1m']![0]!)['close'];
    expect(() => parseResponse(endpoints.marketData('BTCUSDT', '1m', 5), market)).toThrow(/candles\.1m\.0\.close: /);
  });

  it('says so when the answer is not the expected kind of value at all', () => {
    expect(() => parseResponse(endpoints.feed(), 'Bad Gateway')).toThrow(/GET \/api\/v1\/market\/feed answered outside its contract: \(the whole answer\): /);
  });
});
