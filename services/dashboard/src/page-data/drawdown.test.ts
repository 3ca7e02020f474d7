import { EquityResponse } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import { drawdownOf } from './drawdown.js';

describe('drawdown curve', () => {
  it('is the percent below the running peak of the equity curve', () => {
    const curve = EquityResponse.parse({ items: [100, 110, 99, 120, 90].map((e, i) => ({ time: i, equity: String(e) })) }).items;
    expect(drawdownOf(curve).map((d) => d.drawdownPct)).toEqual([0, 0, -10, 0, -25]);
  });
});
