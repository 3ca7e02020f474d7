import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IndicatorValue } from '../indicators/indicator.js';
import { combineRules, compileExpression, compileRule } from './expression-compiler.js';
import type { ColumnResolver, CompileResult } from './expression-compiler.js';
import { parseExpression } from './expression-parser.js';

/** A row of column values; `history[k]` holds the row k bars ago (k ≥ 1). */
function table(row: Record<string, IndicatorValue>, history: Record<string, IndicatorValue>[] = []) {
  const current = { ...row };
  const resolve: ColumnResolver = (name, lag) => {
    if (lag === 0) return name in current ? () => current[name] as IndicatorValue : undefined;
    const past = history[lag - 1];
    if (!past || !(name in past)) return undefined;
    return () => past[name] as IndicatorValue;
  };
  return { current, resolve, names: Object.keys(current) };
}

function compiled(src: string, row: Record<string, IndicatorValue>, legacy = false, history: Record<string, IndicatorValue>[] = []): Extract<CompileResult, { ok: true }> {
  const t = table(row, history);
  const r = compileRule(src, t.resolve, { legacy, availableNames: t.names });
  if (!r.ok) throw new Error(`${src}: ${r.errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
  return r;
}
const run = (src: string, row: Record<string, IndicatorValue>, legacy = false): boolean => compiled(src, row, legacy).evaluate();
const val = (src: string, row: Record<string, IndicatorValue>): IndicatorValue => compiled(src, row).value();

const ROW = { close: 105, open: 100, high: 110, low: 95, volume: 12, RSI_14: 25, EMA_20: 102, EMA_200_trend: 'bull', flag: true, off: false, na: null, nan: Number.NaN };

describe('default mode: arithmetic and comparisons', () => {
  it.each([
    ['close > open', true],
    ['close > EMA_20 * 1.05', false],
    ['close - open == 5', true],
    ['(close - open) / open * 100 == 5', true],
    ['2 ** 3 ** 2 == 512', true],
    ['-2 ** 2 == -4', true],
    ['-7 % 3 == 2', true], // Python modulo: sign of the divisor
    ['7 % -3 == -2', true],
    ['abs(open - close) == 5', true],
    ['max(open, close, 1) == 105 and min(open, close) == 100', true],
    ['20 < RSI_14 < 30', true],
    ['20 < RSI_14 < 24', false],
    ['30 > RSI_14 > 20 >= 20', true],
    ['RSI_14 <= 25 and RSI_14 >= 25 and RSI_14 != 24', true],
    ['flag', true],
    ['off', false],
    ['flag == True and off == False and flag != false', true],
    ['flag == 1 and off == 0', true], // booleans compare as 1/0, as in Python
    ['flag + flag == 2', true],
    ['volume', true],
    ['volume - 12', false],
  ])('%s → %s', (src, expected) => {
    expect(run(src, ROW)).toBe(expected);
  });

  it('and/or/not/&/| work on booleans', () => {
    expect(run('not off', ROW)).toBe(true);
    expect(run('not flag', ROW)).toBe(false);
    expect(run('~off', ROW)).toBe(true);
    expect(run('not (close > open)', ROW)).toBe(false);
    expect(run('close < open or RSI_14 < 30', ROW)).toBe(true);
    expect(run('close > open & RSI_14 > 30', ROW)).toBe(false);
    expect(run('close < open | RSI_14 < 30', ROW)).toBe(true);
  });

  it('string equality works anywhere', () => {
    expect(run("EMA_200_trend == 'bull'", ROW)).toBe(true);
    expect(run('EMA_200_trend == "bear"', ROW)).toBe(false);
    expect(run("EMA_200_trend != 'bear'", ROW)).toBe(true);
    expect(run("EMA_200_trend=='bull'", ROW)).toBe(true);
    expect(run("(RSI_14 < 30 and EMA_200_trend == 'bull') or close < 0", ROW)).toBe(true);
    expect(run("'bull' == EMA_200_trend", ROW)).toBe(true);
    expect(run("EMA_200_trend == 5", ROW)).toBe(false);
    expect(run("EMA_200_trend != 5", ROW)).toBe(true);
  });
});

describe('default mode: three-valued logic', () => {
  it('null and NaN are unknown, and unknown is false at the top level', () => {
    expect(val('na', ROW)).toBeNull();
    expect(val('nan', ROW)).toBeNull();
    expect(run('na', ROW)).toBe(false);
    expect(run('nan > 0', ROW)).toBe(false);
    expect(run('nan <= 0', ROW)).toBe(false);
    expect(val('na + 1', ROW)).toBeNull();
    expect(val('-na', ROW)).toBeNull();
    expect(val('abs(na)', ROW)).toBeNull();
    expect(val('max(na, 1)', ROW)).toBeNull();
  });

  it('not unknown is unknown (so neither `x` nor `not x` passes)', () => {
    expect(val('not na', ROW)).toBeNull();
    expect(run('not na', ROW)).toBe(false);
    expect(run('not (nan > 1)', ROW)).toBe(false);
    expect(run('na != True', ROW)).toBe(false);
    expect(run('na == False', ROW)).toBe(false);
  });

  it('Kleene and/or', () => {
    expect(val('na and off', ROW)).toBe(false);
    expect(val('off and na', ROW)).toBe(false);
    expect(val('na and flag', ROW)).toBeNull();
    expect(val('na or flag', ROW)).toBe(true);
    expect(val('flag or na', ROW)).toBe(true);
    expect(val('na or off', ROW)).toBeNull();
  });

  it('a chain with an unknown link is unknown unless another link is false', () => {
    expect(val('0 < nan < 10', ROW)).toBeNull();
    expect(val('20 > RSI_14 < nan', ROW)).toBe(false);
  });

  it('division by zero is unknown', () => {
    expect(val('close / 0', ROW)).toBeNull();
    expect(run('close / (open - 100) > 1', ROW)).toBe(false);
    expect(val('close % 0', ROW)).toBeNull();
  });

  it('strings in arithmetic at run time are unknown, string literals are compile errors', () => {
    expect(val('EMA_200_trend * 2', ROW)).toBeNull();
    expect(val("EMA_200_trend > 'a'", ROW)).toBe(true); // strings order lexicographically
    const t = table(ROW);
    const r = compileRule("close + 'x' > 1 and 'a' < 3", t.resolve, { legacy: false, availableNames: t.names });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.code, e.column])).toEqual([['TYPE_MISMATCH', 9], ['TYPE_MISMATCH', 21]]);
  });
});

describe('lag x[k]', () => {
  it('reads the value k bars ago through the resolver', () => {
    const history = [{ close: 101, open: 103, high: 104 }, { close: 99 }];
    expect(compiled('close[1] < open[1]', ROW, false, history).evaluate()).toBe(true);
    expect(compiled('close > high[1]', ROW, false, history).evaluate()).toBe(true);
    expect(compiled('close[2] < close[1] < close', ROW, false, history).evaluate()).toBe(true);
    expect(compiled('close[0] == close', ROW, false, history).evaluate()).toBe(true);
    expect(compiled('close[1] < open[1] and close > close[1]', ROW, false, history).columns).toEqual([
      { name: 'close', lag: 1 }, { name: 'open', lag: 1 }, { name: 'close', lag: 0 },
    ]);
  });

  it('an unavailable lag of a known column is its own error', () => {
    const t = table(ROW);
    const r = compileRule('close[5] > 1', t.resolve, { legacy: false, availableNames: t.names });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'LAG_UNAVAILABLE', column: 1, found: 'close[5]' });
  });

  it('values are read at evaluation time, not at compile time', () => {
    const t = table({ a: 1 });
    const r = compileRule('a > 2', t.resolve, { legacy: false });
    if (!r.ok) throw new Error('compile failed');
    expect(r.evaluate()).toBe(false);
    t.current['a'] = 3;
    expect(r.evaluate()).toBe(true);
    t.current['a'] = Number.NaN;
    expect(r.evaluate()).toBe(false);
  });
});

describe('unknown names', () => {
  const names = ['EMA_Fast_EMA_12', 'EMA_Slow_EMA_26', 'RSI_Mean_RSI_14', 'close', 'open'];
  const resolve: ColumnResolver = (n) => (names.includes(n) ? () => 1 : undefined);

  it('are errors listing the available names, closest first, with every unknown reported', () => {
    const r = compileRule('EMA_Fast > EMA_Slow and clsoe > 0', resolve, { legacy: false, availableNames: names });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.column, e.found])).toEqual([
      ['UNKNOWN_NAME', 1, 'EMA_Fast'], ['UNKNOWN_NAME', 12, 'EMA_Slow'], ['UNKNOWN_NAME', 25, 'clsoe'],
    ]);
    expect(r.errors[0]?.message).toContain('did you mean `EMA_Fast_EMA_12`');
    expect(r.errors[0]?.allowed?.split(', ')[0]).toBe('EMA_Fast_EMA_12');
    expect(r.errors[2]?.message).toContain('did you mean `close`');
    expect(r.errors[2]?.message).toContain('Available: close');
  });

  it('can be downgraded to warnings (the original silently evaluated them false)', () => {
    for (const legacy of [false, true]) {
      const r = compileRule('EMA_Fast > 1 or close > 0', resolve, { legacy, allowUnknownNames: true, availableNames: names });
      if (!r.ok) throw new Error('expected ok');
      expect(r.warnings.map((w) => w.code)).toEqual(['UNKNOWN_NAME']);
      // default: unknown or true → true; legacy: the whole rule fails
      expect(r.evaluate()).toBe(!legacy);
    }
  });
});

describe('legacy mode (compat §5.4)', () => {
  it('string equality only in the exact `<col> == \'<text>\'` shape', () => {
    expect(run("EMA_200_trend == 'bull'", ROW, true)).toBe(true);
    expect(run('EMA_200_trend == "bull"', ROW, true)).toBe(true);
    expect(run("EMA_200_trend != 'bull'", ROW, true)).toBe(false);
    expect(run("EMA_200_trend != 'bear'", ROW, true)).toBe(true);
    // no spaces around == → evaluator → a string literal never equals
    expect(run("EMA_200_trend=='bull'", ROW, true)).toBe(false);
    // inside a compound expression → never equal, != always true
    expect(run("(RSI_14 < 30 and EMA_200_trend == 'bull') or close < 0", ROW, true)).toBe(false);
    expect(run("RSI_14 < 30 and EMA_200_trend != 'bull'", ROW, true)).toBe(true);
    const r = compiled("RSI_14 < 30 and EMA_200_trend == 'bull'", ROW, true);
    expect(r.warnings.map((w) => [w.code, w.column])).toEqual([['LEGACY_STRING_COMPARE', 34]]);
    // the default mode gets these right
    expect(run("(RSI_14 < 30 and EMA_200_trend == 'bull') or close < 0", ROW)).toBe(true);
  });

  it('the pre-check compares with null as Python would', () => {
    expect(run("na == 'bull'", ROW, true)).toBe(false);
    expect(run("na != 'bull'", ROW, true)).toBe(true);
  });

  it('`not` of a boolean is always truthy', () => {
    expect(run('not flag', ROW, true)).toBe(true);
    expect(run('not off', ROW, true)).toBe(true);
    expect(run('not (close > open)', ROW, true)).toBe(true);
    expect(run('~flag', ROW, true)).toBe(true);
    expect(run('not na', ROW, true)).toBe(false); // ~None raises
    expect(run('not close', ROW, true)).toBe(false); // ~float raises
    expect(compiled('not flag', ROW, true).warnings[0]?.code).toBe('LEGACY_NOT');
    // `not x & y` is a bitwise and of an int with a bool: ~True & True = 0, ~False & True = 1
    expect(run('not flag and flag', ROW, true)).toBe(false);
    expect(run('not off and flag', ROW, true)).toBe(true);
  });

  it('null in arithmetic or an ordering makes the rule false; == / != follow Python', () => {
    expect(run('na + 1 > 0', ROW, true)).toBe(false);
    expect(run('not (na > 1)', ROW, true)).toBe(false);
    expect(run('na < 1 or close > 0', ROW, true)).toBe(false); // the error fails the whole rule
    expect(run('na == False', ROW, true)).toBe(false);
    expect(run('na != True', ROW, true)).toBe(true); // unlike the default mode
    expect(run('na != True', ROW, false)).toBe(false);
    expect(run('na', ROW, true)).toBe(false);
  });

  it('and/or between non-boolean values fails', () => {
    expect(run('volume and close', ROW, true)).toBe(false);
    expect(run('volume and close', ROW, false)).toBe(true);
    expect(run('flag and close > 1', ROW, true)).toBe(true);
    expect(run('flag and na', ROW, true)).toBe(false);
  });

  it('chains and comparisons otherwise behave', () => {
    expect(run('20 < RSI_14 < 30', ROW, true)).toBe(true);
    expect(run('close > EMA_20 * 1.02', ROW, true)).toBe(true);
    expect(run('flag == True', ROW, true)).toBe(true);
    expect(run('close / 0 > 1', ROW, true)).toBe(false);
    expect(run("EMA_200_trend > 5", ROW, true)).toBe(false); // str > int raises
  });

  it('subscripts and min/max are unsupported: the rule is always false, with a warning', () => {
    const history = [{ close: 101, open: 103 }];
    const sub = compiled('close[1] < open[1]', ROW, true, history);
    expect(sub.evaluate()).toBe(false);
    expect(sub.warnings.map((w) => [w.code, w.column])).toEqual([['LEGACY_SUBSCRIPT', 1], ['LEGACY_SUBSCRIPT', 12]]);
    expect(sub.columns).toEqual([]);
    expect(compiled('close[1] < open[1]', ROW, false, history).evaluate()).toBe(true);
    const mm = compiled('max(close, open) > 1', ROW, true);
    expect(mm.evaluate()).toBe(false);
    expect(mm.warnings[0]?.code).toBe('LEGACY_FUNCTION');
    expect(run('abs(open - close) == 5', ROW, true)).toBe(true);
  });
});

describe('onQuirk (legacy mode)', () => {
  it('reports each evaluation where a quirk changed the verdict', () => {
    const row: Record<string, IndicatorValue> = { flag: true, trend: 'bull', x: 1 };
    const resolve: ColumnResolver = (n, lag) => (lag === 0 && n in row ? () => row[n] as IndicatorValue : undefined);
    const seen: { legacy: boolean; corrected: boolean }[] = [];
    const r = compileRule("not flag or trend=='bull'", resolve, { legacy: true, onQuirk: (v) => seen.push(v) });
    if (!r.ok) throw new Error('compile failed');
    expect(r.evaluate()).toBe(true);
    row['flag'] = false;
    r.evaluate();
    row['trend'] = 'bear';
    row['flag'] = true;
    r.evaluate();
    // 1st: legacy true (~True | False = -2, truthy) vs corrected true (the string compare) → no report
    // 2nd: legacy true (~False | False = -1) vs corrected true → no report
    // 3rd: legacy true vs corrected false (not True or 'bear'=='bull') → reported
    expect(seen).toEqual([{ legacy: true, corrected: false }]);
  });

  it('is not called in default mode or when the verdicts agree', () => {
    let calls = 0;
    const r = compileRule('x > 0', () => () => 1, { legacy: true, onQuirk: () => { calls++; } });
    expect(r.ok && r.evaluate()).toBe(true);
    const d = compileRule('not x', () => () => true, { legacy: false, onQuirk: () => { calls++; } });
    expect(d.ok && d.evaluate()).toBe(false);
    expect(calls).toBe(0);
  });
});

describe('compileExpression API', () => {
  it('compiles a parsed tree once and evaluates many times', () => {
    const parsed = parseExpression('a > b');
    if (!parsed.ok) throw new Error('parse failed');
    const row: Record<string, number> = { a: 1, b: 2 };
    const r = compileExpression(parsed.ast, (n) => (n in row ? () => row[n] as number : undefined), { legacy: false });
    if (!r.ok) throw new Error('compile failed');
    const seen: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      row['a'] = i;
      seen.push(r.evaluate());
    }
    expect(seen).toEqual([false, false, false, true]);
  });

  it('parse errors come back as compile errors with a column', () => {
    const r = compileRule('RSI_14 <', () => undefined, { legacy: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ code: 'EXPECTED_OPERAND', column: 9 });
  });
});

describe('combineRules', () => {
  const t = (): boolean => true;
  const f = (): boolean => false;
  it('all / any, empty never passes', () => {
    expect(combineRules([t, t], 'all')()).toBe(true);
    expect(combineRules([t, f], 'all')()).toBe(false);
    expect(combineRules([f, t], 'any')()).toBe(true);
    expect(combineRules([f, f], 'any')()).toBe(false);
    expect(combineRules([], 'all')()).toBe(false);
    expect(combineRules([], 'any')()).toBe(false);
  });
  it('stops at the first deciding rule', () => {
    let calls = 0;
    const counted = (v: boolean) => () => { calls++; return v; };
    combineRules([counted(false), counted(true)], 'all')();
    expect(calls).toBe(1);
    calls = 0;
    combineRules([counted(true), counted(false)], 'any')();
    expect(calls).toBe(1);
  });
});

describe('properties', () => {
  const value = fc.oneof(
    fc.double({ noDefaultInfinity: true }),
    fc.constant(Number.NaN),
    fc.integer({ min: -5, max: 5 }),
    fc.boolean(),
    fc.constantFrom('bull', 'bear', ''),
    fc.constant(null),
  );
  const NAMES = ['a', 'b', 'c'];
  const operand = fc.oneof(fc.constantFrom(...NAMES), fc.constantFrom('0', '1', '2.5', 'True', 'False', "'bull'"));
  const rule = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      operand,
      fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', 'and', 'or', '&', '|'), tie('e')).map(([l, op, r]) => `(${l} ${op} ${r})`),
      tie('e').map((x) => `(not (${x}))`),
      tie('e').map((x) => `-(${x})`),
      fc.tuple(tie('e'), tie('e')).map(([x, y]) => `max(${x}, ${y})`),
    ),
  })).e;

  const compileFor = (src: string, row: Record<string, IndicatorValue>, legacy: boolean) =>
    compileRule(src, (n, lag) => (lag === 0 && n in row ? () => row[n] as IndicatorValue : undefined), { legacy });

  it('evaluation never throws and always yields a boolean, in both modes', () => {
    fc.assert(
      fc.property(rule, fc.tuple(value, value, value), fc.boolean(), (src, [a, b, c], legacy) => {
        const r = compileFor(src, { a, b, c }, legacy);
        if (!r.ok) {
          // only static type errors on string literals are possible here
          expect(r.errors.every((e) => e.code === 'TYPE_MISMATCH')).toBe(true);
          return;
        }
        expect(typeof r.evaluate()).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('default mode: a rule and its negation never both pass, and are unknown together', () => {
    fc.assert(
      fc.property(rule, fc.tuple(value, value, value), (src, [a, b, c]) => {
        const row = { a, b, c };
        const pos = compileFor(src, row, false);
        const neg = compileFor(`not (${src})`, row, false);
        if (!pos.ok || !neg.ok) return;
        expect(pos.evaluate() && neg.evaluate()).toBe(false);
        expect(pos.value() === null).toBe(neg.value() === null);
      }),
      { numRuns: 1000 },
    );
  });
});
