import { describe, expect, it } from 'vitest';
import { klineToCsvRow, parseDepthSnapshot, parseRestKlines, retryDecision } from './rest-bodies.js';

describe('Binance REST helpers', () => {
  it('parses klines and depth and writes the 12-column archive row', () => {
    const [k] = parseRestKlines([[60000, '1.0', '2.0', '0.5', '1.5', '3.0', 119999, '4.5', 7, '1.0', '1.5', '0']]);
    expect(k).toMatchObject({ openTime: 60000, closeTime: 120000, close: '1.5', trades: 7 });
    expect(klineToCsvRow(k!)).toBe('60000,1.0,2.0,0.5,1.5,3.0,119999,4.5,7,1.0,1.5,0');
    expect(() => parseRestKlines([[60000, 'x', '2', '1', '1', '1', 119999]])).toThrow(/klines\[0\]\.open/);
    expect(parseDepthSnapshot({ lastUpdateId: 3, bids: [['1', '2']], asks: [] })).toEqual({ lastUpdateId: 3, bids: [['1', '2']], asks: [] });
    expect(() => parseDepthSnapshot({ bids: [], asks: [] })).toThrow(/lastUpdateId/);
  });

  it('honours Retry-After on 429/418, backs off on 5xx (the platform backoff: doubling ceiling, equal jitter), gives up on other 4xx', () => {
    const atCeiling = { baseMs: 1000, maxMs: 60_000, random: () => 1 };
    expect(retryDecision(429, '7', 1)).toEqual({ retry: true, delayMs: 7000, banned: false });
    expect(retryDecision(418, '120', 1)).toEqual({ retry: true, delayMs: 120000, banned: true });
    expect(retryDecision(429, null, 3, atCeiling)).toEqual({ retry: true, delayMs: 4000, banned: false });
    expect(retryDecision(503, null, 2, atCeiling)).toEqual({ retry: true, delayMs: 2000, banned: false });
    expect(retryDecision(503, null, 2, { ...atCeiling, random: () => 0 })).toEqual({ retry: true, delayMs: 1000, banned: false });
    expect(retryDecision(0, null, 30, atCeiling)).toEqual({ retry: true, delayMs: 60_000, banned: false });
    expect(retryDecision(400, '5', 1).retry).toBe(false);
  });
});
