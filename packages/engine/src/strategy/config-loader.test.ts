import { describe, expect, it } from 'vitest';
import {
  formatProblem, loadStrategyConfig, parseConfigDate, parseSymbol, positionInValue, positionOf, problemAt, selectVariant,
} from './config-loader.js';
import type { ConfigLoadResult } from './config-loader.js';
import type { ConfigProblem, StrategyConfig } from './config-schema.js';

const GOOD = `version: "1.0"
name: "EMA bias + RSI entry"
symbol: "BTC/USDC"
exchange: "BinanceUS"
timeframes:
  bias: "1h"
  entry: "5m"
indicators:
  - id: "EMA_200"
    type: "EMA"
    timeframe: "1h"
    length: 200
  - id: "RSI_14"
    type: "RSI"
    timeframe: "5m"
    length: 14
logic:
  entry_long:
    - "EMA_200_trend == 'bull'"
    - "RSI_14 < 30"
  exit_long: ["RSI_14 > 70", "close < EMA_200"]
  exit_long_mode: any
backtest:
  cash: 10000
  commission: 0.0004
  slippage: 0.0005
  from: "2024-01-01"
  to: 2024-6-1
`;

function ok(r: ConfigLoadResult): Extract<ConfigLoadResult, { ok: true }> {
  if (!r.ok) throw new Error(`expected ok, got:\n${r.errors.map(formatProblem).join('\n')}`);
  return r;
}
function errors(r: ConfigLoadResult): ConfigProblem[] {
  if (r.ok) throw new Error('expected errors, got ok');
  return r.errors;
}
function find(list: readonly ConfigProblem[], code: string, path?: string): ConfigProblem {
  const p = list.find((e) => e.code === code && (path === undefined || e.path === path));
  if (!p) throw new Error(`no ${code} ${path ?? ''} in:\n${list.map(formatProblem).join('\n')}`);
  return p;
}

describe('loadStrategyConfig: a valid file', () => {
  const r = ok(loadStrategyConfig(GOOD, 'demo.yaml'));
  const c = r.config;

  it('types the fields', () => {
    expect(c.name).toBe('EMA bias + RSI entry');
    expect(c.version).toBe('1.0');
    expect(c.symbol).toBe('BTC/USDC');
    expect(c.marketSymbol).toBe('BTCUSDC');
    expect(c.baseAsset).toBe('BTC');
    expect(c.quoteAsset).toBe('USDC');
    expect(c.exchange).toBe('binanceus');
    expect(c.entryTimeframe).toBe('5m');
    expect(c.timeframes).toEqual({ bias: '1h', entry: '5m' });
    expect(c.compat).toBe('default');
    expect(r.warnings).toEqual([]);
  });

  it('keeps indicator params and their positions', () => {
    expect(c.indicators).toEqual([
      { id: 'EMA_200', type: 'EMA', timeframe: '1h', params: { length: 200 }, index: 0 },
      { id: 'RSI_14', type: 'RSI', timeframe: '5m', params: { length: 14 }, index: 1 },
    ]);
    expect(r.positionOf('indicators[1].length')).toEqual({ line: 16, column: 13 });
    expect(positionOf(c, 'indicators[0].length')).toEqual({ line: 12, column: 13 });
    // a path without its own node falls back to the nearest ancestor
    expect(positionOf(c, 'indicators[1].missing')).toEqual({ line: 13, column: 5 });
    const p = r.problemAt('indicators[1].length', 'BAD_PARAM', 'length too short', { found: '14' });
    expect(p).toEqual({ code: 'BAD_PARAM', message: 'length too short', file: 'demo.yaml', line: 16, column: 13, path: 'indicators[1].length', found: '14' });
  });

  it('reads logic lists, modes and sources', () => {
    expect(c.logic.lists.entry_long).toEqual(["EMA_200_trend == 'bull'", 'RSI_14 < 30']);
    expect(c.logic.lists.exit_long).toEqual(['RSI_14 > 70', 'close < EMA_200']);
    expect(c.logic.lists.entry_short).toEqual([]);
    expect(c.logic.modes).toEqual({ entry_long: 'all', exit_long: 'any', entry_short: 'all', exit_short: 'all' });
    expect(c.logic.sources.exit_long).toBe('logic.exit_long');
  });

  it('locates a character inside a rule (quoted and flow-sequence scalars)', () => {
    // line 20: `    - "RSI_14 < 30"`: the text starts at column 8
    expect(positionInValue(c, 'logic.entry_long[1]', 0)).toEqual({ line: 20, column: 8 });
    expect(positionInValue(c, 'logic.entry_long[1]', 7)).toEqual({ line: 20, column: 15 });
    expect(problemAt(c, 'logic.exit_long[1]', 'X', 'm', { offset: 8 })).toMatchObject({ line: 21, column: 39 }); // the E of EMA_200
  });

  it('normalises dates, quoted or not, YYYY-M-D', () => {
    expect(c.backtest).toEqual({
      cash: 10000, commission: 0.0004, slippage: 0.0005,
      from: '2024-01-01', to: '2024-06-01', fromMs: Date.UTC(2024, 0, 1), toMs: Date.UTC(2024, 5, 1),
      queue: 'trade_through', cancelLatencyMs: undefined,
    });
  });
});

describe('loadStrategyConfig: error positions', () => {
  it('bad YAML syntax names line and column', () => {
    const text = 'name: x\nsymbol: "BTC/USDT\ntimeframes:\n  entry: 5m\n';
    const e = errors(loadStrategyConfig(text, 'bad.yaml'));
    expect(e.length).toBeGreaterThan(0);
    expect(e[0]?.code).toMatch(/^YAML_/);
    expect(e[0]).toMatchObject({ file: 'bad.yaml', line: 2, column: 9 });
  });

  it('bad indentation', () => {
    const text = 'symbol: BTC/USDT\ntimeframes:\n  entry: 5m\n    bias: 1h\n';
    const e = errors(loadStrategyConfig(text, 'indent.yaml'));
    expect(e[0]?.code).toMatch(/^YAML_/);
    // `entry: 5m` cannot be followed by a more-indented key: reported at the value it would nest under
    expect(e[0]).toMatchObject({ line: 3, column: 10 });
  });

  it('duplicate keys are an error at the second key', () => {
    const text = 'symbol: BTC/USDT\nsymbol: ETH/USDT\ntimeframes: { entry: 5m }\n';
    const e = errors(loadStrategyConfig(text, 'dup.yaml'));
    expect(find(e, 'YAML_DUPLICATE_KEY')).toMatchObject({ line: 2, column: 1 });
  });

  it('wrong types name the value position', () => {
    const text = `symbol: BTC/USDT
timeframes:
  entry: 5m
indicators:
  - id: RSI_14
    type: RSI
    timeframe: 5m
backtest:
  cash: "lots"
  commission: 2
logic:
  entry_long: "RSI_14 < 30"
`;
    const e = errors(loadStrategyConfig(text, 'types.yaml'));
    expect(find(e, 'INVALID_TYPE', 'backtest.cash')).toMatchObject({ line: 9, column: 9, found: 'string "lots"', allowed: 'number' });
    expect(find(e, 'INVALID_TYPE', 'backtest.cash').message).toBe('`backtest.cash` must be a number, found string "lots"');
    expect(find(e, 'OUT_OF_RANGE', 'backtest.commission')).toMatchObject({ line: 10, column: 15 });
    expect(find(e, 'INVALID_TYPE', 'logic.entry_long')).toMatchObject({ line: 12, column: 15 });
    expect(find(e, 'INVALID_TYPE', 'logic.entry_long').message).toContain('must be a list');
  });

  it('missing timeframes.entry points at the timeframes key', () => {
    const text = 'symbol: BTC/USDT\ntimeframes:\n  bias: 1h\n';
    const e = errors(loadStrategyConfig(text, 'tf.yaml'));
    const p = find(e, 'MISSING_KEY', 'timeframes.entry');
    expect(p).toMatchObject({ line: 2, column: 1 });
    expect(p.message).toContain('timeframes.entry');
  });

  it('unknown timeframe lists the allowed ones', () => {
    const text = 'symbol: BTC/USDT\ntimeframes:\n  entry: 10m\nindicators:\n  - {id: RSI_14, type: RSI, timeframe: 2d}\n';
    const e = errors(loadStrategyConfig(text, 'tf.yaml'));
    expect(find(e, 'UNKNOWN_TIMEFRAME', 'timeframes.entry')).toMatchObject({ line: 3, column: 10, found: '10m' });
    const ind = find(e, 'UNKNOWN_TIMEFRAME', 'indicators[0].timeframe');
    expect(ind).toMatchObject({ line: 5, column: 40, found: '2d' });
    expect(ind.allowed).toContain('1m, 3m, 5m, 15m');
    expect(ind.allowed).toContain('1w');
  });

  it('lists all problems at once, sorted by position', () => {
    const text = `symbol: "BTC-USDT"
timeframes:
  entry: 7m
indicators:
  - id: 1abc
    type: RSI
    timeframe: 5m
  - type: EMA
    timeframe: 1h
backtest:
  from: "2024-13-01"
  to: "yesterday"
logic:
  entry_long: [""]
`;
    const e = errors(loadStrategyConfig(text, 'many.yaml'));
    const codes = e.map((p) => `${p.code}@${p.path}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'INVALID_SYMBOL@symbol',
        'UNKNOWN_TIMEFRAME@timeframes.entry',
        'INVALID_FORMAT@indicators[0].id',
        'MISSING_KEY@indicators[1].id',
        'INVALID_DATE@backtest.from',
        'INVALID_DATE@backtest.to',
        'EMPTY_RULE@logic.entry_long[0]',
      ]),
    );
    expect(e.length).toBe(7);
    const lines = e.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(find(e, 'MISSING_KEY', 'indicators[1].id')).toMatchObject({ line: 8, column: 5 });
  });

  it('an empty file and a second document', () => {
    expect(errors(loadStrategyConfig('', 'empty.yaml'))).toEqual([expect.objectContaining({ code: 'NOT_A_MAPPING', line: 1, column: 1 })]);
    expect(errors(loadStrategyConfig('# only a comment\n', 'empty.yaml'))[0]?.message).toContain('empty');
    const e = errors(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\n---\nfoo: 1\n', 'two.yaml'));
    expect(e).toEqual([expect.objectContaining({ code: 'YAML_MULTIPLE_DOCS', line: 3, column: 1 })]);
  });

  it('tabs, CRLF line ends and anchors', () => {
    expect(errors(loadStrategyConfig('symbol: BTCUSDT\ntimeframes:\n\tentry: 1h\n', 't.yaml'))[0]).toMatchObject({ code: 'YAML_TAB_AS_INDENT', line: 3 });
    expect(find(errors(loadStrategyConfig('symbol: BTCUSDT\r\ntimeframes:\r\n  entry: 7m\r\n', 'crlf.yaml')), 'UNKNOWN_TIMEFRAME')).toMatchObject({ line: 3, column: 10 });
    const r = ok(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\nx-defaults: &d {timeframe: 1h, length: 14}\nindicators:\n  - {<<: *d, id: R, type: RSI}\n  - {<<: *d, id: E, type: EMA, length: 9}\n', 'a.yaml'));
    expect(r.config.indicators.map((i) => [i.id, i.timeframe, i.params])).toEqual([['R', '1h', { length: 14 }], ['E', '1h', { length: 9 }]]);
  });

  it('an exchange without a connector is a warning', () => {
    const r = ok(loadStrategyConfig('symbol: BTCUSDT\nexchange: Kraken\ntimeframes: {entry: 1h}\nlogic: {}\n', 'k.yaml'));
    expect(r.config.exchange).toBe('kraken');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_EXCHANGE', line: 2, column: 11, allowed: 'binance, binanceus' })]);
  });

  it('a non-mapping document', () => {
    const e = errors(loadStrategyConfig('- a\n- b\n', 'list.yaml'));
    expect(e).toEqual([expect.objectContaining({ code: 'NOT_A_MAPPING', line: 1, column: 1 })]);
  });

  it('to before from', () => {
    const text = 'symbol: BTCUSDT\ntimeframes: {entry: 1h}\nbacktest: {from: 2024-02-01, to: 2024-01-01}\n';
    expect(find(errors(loadStrategyConfig(text, 'd.yaml')), 'DATE_RANGE', 'backtest.to').line).toBe(3);
  });

  it('duplicate ids on the same timeframe are an error, on different timeframes a warning', () => {
    const base = 'symbol: BTCUSDT\ntimeframes: {entry: 1h}\nindicators:\n  - {id: R, type: RSI, timeframe: 1h}\n';
    expect(find(errors(loadStrategyConfig(`${base}  - {id: R, type: EMA, timeframe: 1h}\n`, 'x.yaml')), 'DUPLICATE_INDICATOR_ID')).toMatchObject({ line: 5 });
    const r = ok(loadStrategyConfig(`${base}  - {id: R, type: EMA, timeframe: 4h}\n`, 'x.yaml'));
    expect(find(r.warnings, 'DUPLICATE_INDICATOR_ID').message).toContain('the 4h one get the suffix _4h');
    // the higher timeframe is the one suffixed, whichever comes first
    const r2 = ok(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\nindicators:\n  - {id: R, type: RSI, timeframe: 4h}\n  - {id: R, type: EMA, timeframe: 1h}\n', 'x.yaml'));
    expect(find(r2.warnings, 'DUPLICATE_INDICATOR_ID').message).toContain('the 4h one get the suffix _4h');
  });
});

describe('loadStrategyConfig: leniency, warnings, strict mode', () => {
  const text = `symbol: BTCUSDT
timeframes: {entry: 15m}
logic:
  entry_long: ["close > open"]
  exit_longg: ["close < open"]
market_filters:
  min_volume: 5
notes: hello
backtest:
  initial_cash: 5000
  from: "2024-01-01"
  to: "2024-01-02"
`;

  it('unknown keys are warnings with positions and suggestions; extras kept', () => {
    const r = ok(loadStrategyConfig(text, 'w.yaml'));
    expect(r.config.marketSymbol).toBe('BTCUSDT');
    expect(r.config.symbol).toBe('BTC/USDT');
    expect(r.config.exchange).toBe('binanceus');
    expect(r.config.backtest.cash).toBe(10000);
    expect(r.config.extras).toEqual({ market_filters: { min_volume: 5 }, notes: 'hello' });
    const typo = find(r.warnings, 'UNKNOWN_KEY', 'logic.exit_longg');
    expect(typo).toMatchObject({ line: 5, column: 3 });
    expect(typo.message).toContain('did you mean `exit_long`');
    expect(find(r.warnings, 'UNKNOWN_KEY', 'market_filters')).toMatchObject({ line: 6, column: 1 });
    expect(find(r.warnings, 'IGNORED_KEY', 'backtest.initial_cash').line).toBe(10);
    expect(r.warnings).toHaveLength(4);
  });

  it('strict mode turns the warnings into errors', () => {
    const e = errors(loadStrategyConfig(text, 'w.yaml', { strict: true }));
    expect(e.map((p) => p.code).sort()).toEqual(['IGNORED_KEY', 'UNKNOWN_KEY', 'UNKNOWN_KEY', 'UNKNOWN_KEY']);
  });

  it('a file in the `data:` layout gets one clear error naming what is missing', () => {
    const t = 'name: x\ndata:\n  symbol: "BTC/USDT"\n  timeframe: "15m"\nindicators:\n  - {id: a, type: ADX, timeframe: 15m}\n';
    const e = errors(loadStrategyConfig(t, 'old.yaml'));
    const p = find(e, 'NOT_ENGINE_FORMAT', 'data');
    expect(p).toMatchObject({ line: 2, column: 1 });
    expect(p.message).toContain('`symbol`, `timeframes`');
    expect(p.message).toContain('`data.timeframe` → `timeframes.entry`');
    expect(find(e, 'MISSING_KEY', 'symbol').message).toContain('BTC/USDT');
  });
});

describe('env substitution (opt-in)', () => {
  const text = 'symbol: ${SYM}\ntimeframes: {entry: 15m}\nbacktest:\n  cash: ${CASH}\n  commission: nope\n';
  it('is off without an env map', () => {
    const e = errors(loadStrategyConfig(text, 'e.yaml'));
    expect(find(e, 'INVALID_SYMBOL', 'symbol').found).toBe('${SYM}');
  });
  it('substitutes and keeps positions of the original text', () => {
    const e = errors(loadStrategyConfig(text, 'e.yaml', { env: { SYM: 'ETH/USDT', CASH: '123456789' } }));
    expect(e).toHaveLength(1);
    expect(find(e, 'INVALID_TYPE', 'backtest.commission')).toMatchObject({ line: 5, column: 15 });
    const r = ok(loadStrategyConfig(text.replace('nope', '0.001'), 'e.yaml', { env: { SYM: 'ETH/USDT', CASH: '5000' } }));
    expect(r.config.symbol).toBe('ETH/USDT');
    expect(r.config.backtest.cash).toBe(5000);
    // a position after a substitution on the same line maps back to the written text
    const long = 'symbol: ETHUSDT\ntimeframes: {entry: ${TF}, bias: 9h}\n';
    const e2 = errors(loadStrategyConfig(long, 'e.yaml', { env: { TF: '15m' } }));
    expect(find(e2, 'UNKNOWN_TIMEFRAME', 'timeframes.bias')).toMatchObject({ line: 2, column: 34 });
  });
  it('an unset variable is an error at its position', () => {
    const e = errors(loadStrategyConfig(text, 'e.yaml', { env: { SYM: 'BTC/USDT' } }));
    expect(e).toEqual([expect.objectContaining({ code: 'ENV_VAR_UNSET', line: 4, column: 9, found: 'CASH' })]);
  });
});

describe('risk_management shapes', () => {
  const load = (risk: string): StrategyConfig =>
    ok(loadStrategyConfig(`symbol: BTCUSDT\ntimeframes: {entry: 1h}\nrisk_management:\n${risk}`, 'r.yaml')).config;

  it('original keys → risk sizing, stop and take profit', () => {
    const c = load(`  enabled: true
  risk_pct: 0.02
  max_position_pct: 0.3
  use_position_sizing: true
  stop_loss: {base_percent: 0.03, atr_based: true, atr_multiplier: 2.5}
  take_profit:
    base_percent: 0.06
    partial_exits:
      - {level: 0.03, percent: 0.5}
`);
    expect(c.riskManagement?.sizing).toEqual({ mode: 'risk', riskPct: 0.02, maxPositionPct: 0.3, minNotional: undefined });
    expect(c.riskManagement?.sizingSource).toBe('risk_pct');
    expect(c.riskManagement?.stopLoss).toEqual({ percent: 0.03, atrMultiplier: 2.5, minDistancePct: undefined, maxDistancePct: undefined });
    expect(c.riskManagement?.takeProfit).toEqual({ percent: 0.06, partialExits: [{ level: 0.03, fraction: 0.5 }] });
  });

  it('explicit position_sizing modes', () => {
    expect(load('  position_sizing: {mode: fixed_units, units: 0.5}\n').riskManagement?.sizing).toEqual({ mode: 'fixed_units', units: 0.5 });
    expect(load('  position_sizing: {mode: percent_equity, fraction: 0.1}\n').riskManagement?.sizing).toEqual({ mode: 'percent_equity', fraction: 0.1 });
    const e = errors(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\nrisk_management:\n  position_sizing: {mode: fixed_units}\n', 'r.yaml'));
    expect(find(e, 'MISSING_KEY', 'risk_management.position_sizing.units').line).toBe(4);
    const e2 = errors(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\nrisk_management:\n  position_sizing: {mode: kelly}\n', 'r.yaml'));
    expect(find(e2, 'INVALID_VALUE', 'risk_management.position_sizing.mode').allowed).toBe('fixed_units, percent_equity, risk');
  });

  it('unknown sub-keys are warnings', () => {
    const r = ok(loadStrategyConfig('symbol: BTCUSDT\ntimeframes: {entry: 1h}\nrisk_management:\n  stop_loss: {base_percent: 0.02, vp_buffer: 0.1, wobble: 1}\n', 'r.yaml'));
    expect(find(r.warnings, 'IGNORED_KEY', 'risk_management.stop_loss.vp_buffer').line).toBe(4);
    expect(find(r.warnings, 'UNKNOWN_KEY', 'risk_management.stop_loss.wobble').line).toBe(4);
  });
});

describe('equity protection, optimization, compat', () => {
  it('reads them', () => {
    const r = ok(
      loadStrategyConfig(
        `symbol: BTCUSDT
timeframes: {entry: 1h}
compat: legacy
equity_protection: {enabled: true, drawdown_threshold: 0.2}
optimization:
  parameters:
    - {name: RSI_14.length, type: integer, low: 10, high: 20, step: 2}
  defaults: {method: bayesian}
`,
        'o.yaml',
      ),
    );
    expect(r.config.compat).toBe('legacy');
    expect(r.config.equityProtection).toMatchObject({ enabled: true, drawdownThreshold: 0.2, smoothingWindow: 1, enableOnBiasFlip: true });
    expect(r.config.optimization?.parameters).toEqual([
      { name: 'RSI_14.length', type: 'integer', low: 10, high: 20, step: 2, choices: undefined, default: undefined, logScale: false },
    ]);
    expect(r.config.optimization?.defaults).toEqual({ method: 'bayesian' });
  });

  it('low >= high and bad compat are errors', () => {
    const e = errors(
      loadStrategyConfig(
        'symbol: BTCUSDT\ntimeframes: {entry: 1h}\ncompat: old\noptimization:\n  parameters:\n    - {name: a, type: float, low: 5, high: 1}\n',
        'o.yaml',
      ),
    );
    expect(find(e, 'INVALID_VALUE', 'compat').allowed).toBe('legacy, default');
    expect(find(e, 'OUT_OF_RANGE', 'optimization.parameters[0].high').line).toBe(6);
  });
});

describe('variants', () => {
  const text = `symbol: BTCUSDT
timeframes: {entry: 1h}
logic:
  entry_long: ["a > 1"]
  exit_long: ["a < 1"]
  entry_short: ["b > 1"]
variants:
  reversal_only:
    entry_long: ["c > 1", "d > 1"]
    exit_long_mode: any
  continuation_only:
    entry_short: []
`;
  const cfg = ok(loadStrategyConfig(text, 'v.yaml')).config;

  it('replaces only the listed lists', () => {
    const r = selectVariant(cfg, 'reversal_only');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.config.logic.lists).toEqual({ entry_long: ['c > 1', 'd > 1'], exit_long: ['a < 1'], entry_short: ['b > 1'], exit_short: [] });
    expect(r.config.logic.modes.exit_long).toBe('any');
    expect(r.config.logic.sources.entry_long).toBe('variants.reversal_only.entry_long');
    expect(r.config.logic.sources.exit_long).toBe('logic.exit_long');
    expect(r.config.selectedVariant).toBe('reversal_only');
    expect(positionOf(r.config, `${r.config.logic.sources.entry_long}[1]`)).toEqual({ line: 9, column: 27 });
    // the original config is unchanged
    expect(cfg.logic.lists.entry_long).toEqual(['a > 1']);
    const c2 = selectVariant(cfg, 'continuation_only');
    expect(c2.ok && c2.config.logic.lists.entry_short).toEqual([]);
  });

  it('an unknown variant lists the available names, closest first', () => {
    const r = selectVariant(cfg, 'continuation');
    if (r.ok) throw new Error('expected an error');
    expect(r.error.code).toBe('UNKNOWN_VARIANT');
    expect(r.error.allowed).toBe('reversal_only, continuation_only');
    expect(r.error.message).toContain('did you mean `continuation_only`');
    expect(r.error.line).toBe(7);
  });
});

describe('parseConfigDate / parseSymbol', () => {
  it('dates', () => {
    expect(parseConfigDate('2025-07-1')).toEqual({ text: '2025-07-01', ms: Date.UTC(2025, 6, 1) });
    expect(parseConfigDate('2024-01-02 12:30')).toEqual({ text: '2024-01-02T12:30:00Z', ms: Date.UTC(2024, 0, 2, 12, 30) });
    expect(parseConfigDate(new Date(Date.UTC(2024, 2, 4)))).toEqual({ text: '2024-03-04', ms: Date.UTC(2024, 2, 4) });
    expect(parseConfigDate('2024-02-30')).toBeUndefined();
    expect(parseConfigDate('01/02/2024')).toBeUndefined();
    expect(parseConfigDate(20240101)).toBeUndefined();
  });
  it('symbols', () => {
    expect(parseSymbol('btc/usdt')).toEqual({ symbol: 'BTC/USDT', marketSymbol: 'BTCUSDT', base: 'BTC', quote: 'USDT' });
    expect(parseSymbol('ETHBTC')).toEqual({ symbol: 'ETH/BTC', marketSymbol: 'ETHBTC', base: 'ETH', quote: 'BTC' });
    expect(parseSymbol('BTCFDUSD')?.quote).toBe('FDUSD');
    expect(parseSymbol('FOOBAR')).toBeUndefined();
    expect(parseSymbol('BTC/USDT:USDT')).toBeUndefined();
  });
});
