import { describe, expect, it } from 'vitest';
import { buildTradingSetup } from '../kernel/trading-setup.js';

const yaml = (indicators: string, rules: string) => `
name: p
symbol: BTC/USDT
timeframes: { entry: "5m" }
indicators:
${indicators}
logic:
  entry_long: [${rules}]
backtest: { cash: 10000, commission: 0.001 }
`;

function errors(text: string) {
  const r = buildTradingSetup(text, 'p.yaml', { strategyId: 'p' });
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => [e.code, e.found ?? null, e.line] as const);
}

describe('every problem of a file at once', () => {
  it('invalid indicator parameters do not hide the rule problems (valid parameters are kept)', () => {
    const text = yaml(
      `  - { id: EMA_4h, type: EMA, timeframe: "5m", length: 50, period: 200 }
  - { id: RSI_14, type: RSI, timeframe: "5m", length: 14 }`,
      `"close > EMA_4h_value", "close > EMA_4h_EMA_50", "RSI_14 < 30", "RSI_14 > RSI_Fast"`,
    );
    // line 6: the EMA entry; line 9: the rules
    expect(errors(text)).toEqual([
      ['INVALID_INDICATOR_PARAMS', null, 6],
      ['UNKNOWN_NAME', 'EMA_4h_value', 9],
      ['UNKNOWN_NAME', 'RSI_Fast', 9],
    ]);
  });

  it('an unknown indicator type is reported once, not again for every rule that reads it', () => {
    const text = yaml(
      `  - { id: KAMA_10, type: KAMA, timeframe: "5m", length: 10 }
  - { id: EMA_20, type: EMA, timeframe: "5m", length: 20 }`,
      `"close > KAMA_10_value", "close > EMA_2O"`,
    );
    expect(errors(text)).toEqual([
      ['UNKNOWN_INDICATOR_TYPE', 'KAMA', 6],
      ['UNKNOWN_NAME', 'EMA_2O', 9],
    ]);
  });
});
