import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnsOf, formatExpr } from './expression-ast.js';
import type { Expr } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';

function parse(src: string): Expr {
  const r = parseExpression(src);
  if (!r.ok) throw new Error(`${src}: ${r.error.message} at column ${r.error.column}`);
  return r.ast.root;
}
/** Fully parenthesised form, to make precedence visible. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'number': return String(e.value);
    case 'string': return JSON.stringify(e.value);
    case 'boolean': return String(e.value);
    case 'column': return e.subscripted ? `${e.name}[${e.lag}]` : e.name;
    case 'unary': return `(${e.op} ${shape(e.operand)})`;
    case 'arithmetic': return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'compare': return `(${e.operands.map(shape).reduce((acc, s, i) => `${acc} ${e.ops[i - 1] as string} ${s}`)})`;
    case 'logical': return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case 'call': return `${e.fn}(${e.args.map(shape).join(', ')})`;
  }
}
function errorOf(src: string): { code: string; column: number; message: string } {
  const r = parseExpression(src);
  if (r.ok) throw new Error(`expected a parse error for ${src}`);
  return r.error;
}

describe('parseExpression: precedence', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['10 - 4 - 3', '((10 - 4) - 3)'],
    ['2 ** 3 ** 2', '(2 ** (3 ** 2))'],
    ['-2 ** 2', '(- (2 ** 2))'],
    ['2 ** -1', '(2 ** (- 1))'],
    ['a % 3 * 2', '((a % 3) * 2)'],
    ['close > EMA_20 * 1.02', '(close > (EMA_20 * 1.02))'],
    ['a > 1 and b < 2 or c', '(((a > 1) and (b < 2)) or c)'],
    ['a or b and c', '(a or (b and c))'],
    // & and | bind looser than comparisons, exactly like and/or (pandas rewrites them)
    ['a > 1 & b < 2', '((a > 1) and (b < 2))'],
    ['a > 1 | b < 2 & c', '((a > 1) or ((b < 2) and c))'],
    ['not a > b', '(not (a > b))'],
    ['not a and b', '((not a) and b)'],
    ['~a == b', '((not a) == b)'],
    ['not not a', '(not (not a))'],
    ['20 < RSI_14 < 80', '(20 < RSI_14 < 80)'],
    ['a == b != c', '(a == b != c)'],
    ['abs(close - open) > 2 * atr', '(abs((close - open)) > (2 * atr))'],
    ['max(a, b, 3) <= min(c, d)', '(max(a, b, 3) <= min(c, d))'],
    ['close[1] < open[1]', '(close[1] < open[1])'],
    ['VP_Entry_vah_price < VP_Entry_vah_price[24]', '(VP_Entry_vah_price < VP_Entry_vah_price[24])'],
    ["EMA_200_trend == 'bull'", '(EMA_200_trend == "bull")'],
    ['X == "a \\"q\\""', '(X == "a \\"q\\"")'],
    ['FVG_bullish_signal == True', '(FVG_bullish_signal == true)'],
    ['flag != false', '(flag != false)'],
    ['FVG_Enhanced_FVG_bullish_signal', 'FVG_Enhanced_FVG_bullish_signal'],
    ['1e-3 < .5', '(0.001 < 0.5)'],
  ])('%s', (src, expected) => {
    expect(shape(parse(src))).toBe(expected);
  });

  it('spans and columns', () => {
    const e = parse('close[1] > open and RSI_14 < 30');
    expect(e.start).toBe(0);
    expect(e.end).toBe(31);
    expect(columnsOf(e)).toEqual([{ name: 'close', lag: 1 }, { name: 'open', lag: 0 }, { name: 'RSI_14', lag: 0 }]);
  });

  it('formatExpr round-trips with minimal parentheses', () => {
    for (const src of ['(a + b) * c', 'a - (b - c)', 'not (a and b)', '(a or b) and c', '-(2 ** 2)', '(2 ** 3) ** 2', "x == 'it\\'s'"]) {
      const once = formatExpr(parse(src));
      expect(shape(parse(once))).toBe(shape(parse(src)));
    }
    expect(formatExpr(parse('(a + b) * c'))).toBe('(a + b) * c');
    expect(formatExpr(parse('a > 1 & b < 2'))).toBe('a > 1 and b < 2');
  });
});

describe('parseExpression: errors name the column', () => {
  it.each([
    ['', 'EMPTY_EXPRESSION', 1],
    ['RSI_14 <', 'EXPECTED_OPERAND', 9],
    ['RSI_14 30', 'UNEXPECTED_TOKEN', 8],
    ['(a > 1', 'UNBALANCED_PARENTHESES', 1],
    ['a > 1)', 'UNBALANCED_PARENTHESES', 6],
    ['a = 1', 'UNKNOWN_OPERATOR', 3],
    ['a && b', 'UNKNOWN_OPERATOR', 3],
    ['a || b', 'UNKNOWN_OPERATOR', 3],
    ['!a', 'UNKNOWN_OPERATOR', 1],
    ["x == 'bull", 'UNTERMINATED_STRING', 6],
    ['close[-1] > 1', 'INVALID_SUBSCRIPT', 7],
    ['close[1.5] > 1', 'INVALID_SUBSCRIPT', 7],
    ['close[k] > 1', 'INVALID_SUBSCRIPT', 7],
    ['(a + b)[1] > 1', 'INVALID_SUBSCRIPT', 8],
    ['close[1', 'UNBALANCED_BRACKETS', 8],
    ['sqrt(x) > 1', 'UNKNOWN_FUNCTION', 1],
    ['abs(a, b) > 1', 'WRONG_ARGUMENT_COUNT', 1],
    ['min(a) > 1', 'WRONG_ARGUMENT_COUNT', 1],
    ['a > 1 and', 'EXPECTED_OPERAND', 10],
    ['a $ b', 'UNEXPECTED_CHARACTER', 3],
    ['2x > 1', 'INVALID_NUMBER', 1],
    ['a is None', 'UNKNOWN_OPERATOR', 3],
    ['a > and', 'EXPECTED_OPERAND', 5],
  ])('%j → %s at column %d', (src, code, column) => {
    const e = errorOf(src);
    expect(e.code).toBe(code);
    expect(e.column).toBe(column);
    expect(e.message.length).toBeGreaterThan(10);
  });

  it('messages are helpful', () => {
    expect(errorOf('a = 1').message).toContain('use `==`');
    expect(errorOf('a && b').message).toContain('use `and`');
    expect(errorOf('sqrt(x) > 1').message).toContain('abs, min, max');
    expect(errorOf('RSI_14 30').message).toContain('after a complete expression');
  });
});

describe('properties', () => {
  const NAMES = ['close', 'RSI_14', 'a', 'EMA_200_trend', 'flag'];
  const leaf = fc.oneof(
    fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })).map((value): Expr => ({ kind: 'number', value, start: 0, end: 0 })),
    fc.string({ maxLength: 6 }).map((value): Expr => ({ kind: 'string', value, start: 0, end: 0 })),
    fc.boolean().map((value): Expr => ({ kind: 'boolean', value, start: 0, end: 0 })),
    fc.tuple(fc.constantFrom(...NAMES), fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined })).map(
      ([name, lag]): Expr => ({ kind: 'column', name, lag: lag ?? 0, subscripted: lag !== undefined, start: 0, end: 0 }),
    ),
  );
  const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.tuple(fc.constantFrom('-', '+', 'not', '~'), tie('expr')).map(([s, operand]): Expr => ({
        kind: 'unary', op: s === '~' ? 'not' : s, spelling: s, operand, start: 0, end: 0,
      })),
      fc.tuple(fc.constantFrom('+', '-', '*', '/', '%', '**'), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({
        kind: 'arithmetic', op, left, right, start: 0, end: 0,
      })),
      fc.tuple(fc.array(fc.constantFrom('<', '<=', '>', '>=', '==', '!='), { minLength: 1, maxLength: 2 }), fc.array(tie('expr'), { minLength: 3, maxLength: 3 })).map(
        ([ops, operands]): Expr => ({ kind: 'compare', ops, operands: operands.slice(0, ops.length + 1), start: 0, end: 0 }),
      ),
      fc.tuple(fc.constantFrom('and', 'or', '&', '|'), tie('expr'), tie('expr')).map(([s, left, right]): Expr => ({
        kind: 'logical', op: s === 'and' || s === '&' ? 'and' : 'or', spelling: s, left, right, start: 0, end: 0,
      })),
      fc.tuple(fc.constantFrom('abs', 'min', 'max'), fc.array(tie('expr'), { minLength: 2, maxLength: 3 })).map(([fn, args]): Expr => ({
        kind: 'call', fn, args: fn === 'abs' ? args.slice(0, 1) : args, start: 0, end: 0,
      })),
    ),
  }));

  it('formatting then parsing gives back the same tree', () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(shape(parse(formatExpr(e)))).toBe(shape(e));
      }),
      { numRuns: 500 },
    );
  });

  it('spans always lie inside the rule text', () => {
    fc.assert(
      fc.property(expr, (e) => {
        const src = formatExpr(e);
        const visit = (n: Expr): void => {
          expect(n.start).toBeGreaterThanOrEqual(0);
          expect(n.end).toBeLessThanOrEqual(src.length);
          expect(n.start).toBeLessThan(n.end);
        };
        const walk = (n: Expr): void => {
          visit(n);
          if (n.kind === 'unary') walk(n.operand);
          else if (n.kind === 'arithmetic' || n.kind === 'logical') { walk(n.left); walk(n.right); }
          else if (n.kind === 'compare') n.operands.forEach(walk);
          else if (n.kind === 'call') n.args.forEach(walk);
        };
        walk(parse(src));
      }),
      { numRuns: 200 },
    );
  });
});
