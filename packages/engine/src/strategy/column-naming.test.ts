import { describe, expect, it } from 'vitest';
import { higherTimeframeName, mergeTimeframeColumns, prefixColumn, prefixColumns } from './column-naming.js';

describe('prefixColumn (compat §2.0 table)', () => {
  const cases: [id: string, raw: string, expected: string][] = [
    ['RSI_14', 'RSI_14', 'RSI_14'],
    ['RSI_14', 'RSI_14_overbought', 'RSI_14_overbought'],
    ['RSI', 'RSI_14', 'RSI_14'],
    ['RSI', 'RSI_14_overbought', 'RSI_14_overbought'],
    ['RSI_MAIN', 'RSI_14', 'RSI_MAIN_RSI_14'],
    ['RSI_MAIN', 'RSI_14_overbought', 'RSI_MAIN_RSI_14_overbought'],
    ['RSI_14', 'RSI_13', 'RSI_14_RSI_13'],
    ['EMA_200', 'EMA_200', 'EMA_200'],
    ['EMA_200', 'EMA_200_trend', 'EMA_200_trend'],
    ['EMA_20', 'EMA_200', 'EMA_20_EMA_200'],
    ['EMA_20', 'EMA_200_trend', 'EMA_20_EMA_200_trend'],
    ['EMA_1h_100', 'EMA_100', 'EMA_1h_100_EMA_100'],
    ['EMA_1h_100', 'EMA_100_trend', 'EMA_1h_100_EMA_100_trend'],
    ['EMA_Fast', 'EMA_12', 'EMA_Fast_EMA_12'],
    ['ADX_14', 'ADX_value', 'ADX_14_ADX_value'],
    ['ADX_14', 'DI_plus', 'ADX_14_DI_plus'],
    ['ADX_14', 'ADX_trend', 'ADX_14_ADX_trend'],
    ['ADX', 'ADX_value', 'ADX_value'],
    ['ADX', 'ADX_trend', 'ADX_trend'],
    ['ADX', 'ADX_range', 'ADX_range'],
    ['ADX', 'ADX_strength', 'ADX_strength'],
    ['ADX', 'DI_plus', 'ADX_DI_plus'],
    ['ADX', 'DI_minus', 'ADX_DI_minus'],
    ['ADX', 'DI_bullish', 'ADX_DI_bullish'],
    ['ADX', 'DI_bearish', 'ADX_DI_bearish'],
    ['FVG', 'FVG_bullish_signal', 'FVG_bullish_signal'],
    ['FVG_Enhanced', 'FVG_bullish_signal', 'FVG_Enhanced_FVG_bullish_signal'],
    ['VP_5D', 'poc_price', 'VP_5D_poc_price'],
    ['VP_5D', 'vah_price', 'VP_5D_vah_price'],
    ['VPFVGSignal', 'vf_long', 'VPFVGSignal_vf_long'],
    ['RiskManagement', 'exit_long_risk', 'RiskManagement_exit_long_risk'],
    ['Risk', 'exit_long_risk', 'Risk_exit_long_risk'],
  ];
  it.each(cases)('id %s, raw %s → %s', (id, raw, expected) => {
    expect(prefixColumn(id, raw)).toBe(expected);
  });

  it('is case-sensitive and needs the underscore right after the id', () => {
    expect(prefixColumn('rsi', 'RSI_14')).toBe('rsi_RSI_14');
    expect(prefixColumn('EMA', 'EMAX')).toBe('EMA_EMAX');
    expect(prefixColumn('EMA', 'EMA')).toBe('EMA');
  });

  it('prefixColumns keeps order', () => {
    expect(prefixColumns('EMA_20', ['EMA_200', 'EMA_200_trend'])).toEqual(['EMA_20_EMA_200', 'EMA_20_EMA_200_trend']);
  });
});

describe('mergeTimeframeColumns (compat §3.2 step 4)', () => {
  it('suffixes higher-timeframe columns that already exist, keeps the others', () => {
    const { columns, collisions } = mergeTimeframeColumns('15m', [
      { timeframe: '15m', columns: ['RSI_14', 'RSI_14_overbought'] },
      { timeframe: '1h', columns: ['RSI_14', 'EMA_200', 'EMA_200_trend'] },
    ]);
    expect(columns.map((c) => c.name)).toEqual([
      'open', 'high', 'low', 'close', 'volume', 'RSI_14', 'RSI_14_overbought', 'RSI_14_1h', 'EMA_200', 'EMA_200_trend',
    ]);
    expect(columns.find((c) => c.name === 'RSI_14_1h')).toEqual({ name: 'RSI_14_1h', sourceName: 'RSI_14', timeframe: '1h' });
    expect(collisions).toEqual([]);
  });

  it('a column already added by an earlier higher timeframe is suffixed too', () => {
    const { columns } = mergeTimeframeColumns('15m', [
      { timeframe: '1h', columns: ['EMA_50'] },
      { timeframe: '4h', columns: ['EMA_50'] },
    ]);
    expect(columns.slice(5).map((c) => c.name)).toEqual(['EMA_50', 'EMA_50_4h']);
  });

  it('reports a collision on the entry timeframe', () => {
    const { collisions } = mergeTimeframeColumns('15m', [{ timeframe: '15m', columns: ['RSI_14', 'RSI_14'] }]);
    expect(collisions).toEqual([{ name: 'RSI_14', timeframe: '15m' }]);
  });

  it('higherTimeframeName', () => {
    expect(higherTimeframeName('RSI_14', '1h')).toBe('RSI_14_1h');
  });
});
