/**
 * Parser for rule expressions: the original's surface syntax (a pandas `eval` subset), parsed by
 * precedence climbing into an ExpressionAst. No eval, no Function constructor.
 *
 * Precedence, loosest first (Python's, with `&`/`|` as aliases of `and`/`or` the way the pandas
 * parser rewrites them):
 *   or, |   <   and, &   <   not   <   comparisons (chainable)   <   + -   <   * / %   <
 *   unary - + ~   <   ** (right-associative; `-2 ** 2` = -(2 ** 2))   <   atoms, x[k], f(…)
 */
import { FUNCTIONS } from './expression-ast.js';
import type { CompareOp, Expr, ExpressionAst, ExpressionProblem, FunctionName } from './expression-ast.js';

type TokenType = 'number' | 'string' | 'ident' | 'op' | 'eof';
interface Token {
  readonly type: TokenType;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** Decoded value of a string token. */
  readonly value?: string;
}

class ParseError extends Error {
  constructor(readonly problem: ExpressionProblem) {
    super(problem.message);
  }
}

function fail(code: string, message: string, start: number, end: number, extra: { found?: string; allowed?: string } = {}): never {
  const problem: { -readonly [K in keyof ExpressionProblem]: ExpressionProblem[K] } = {
    code, message, offset: start, column: start + 1, length: Math.max(1, end - start),
  };
  if (extra.found !== undefined) problem.found = extra.found;
  if (extra.allowed !== undefined) problem.allowed = extra.allowed;
  throw new ParseError(problem);
}

const OPERATORS = ['**', '<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '&', '|', '~'];
const KEYWORDS = new Set(['and', 'or', 'not', 'True', 'False', 'true', 'false']);
export const MAX_LAG = 100_000;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) { i++; continue; }
    const start = i;
    // numbers: 12, 1.5, .5, 1e-3, 1_000
    const num = /^(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      const text = num[0];
      const after = src[i + text.length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        fail('INVALID_NUMBER', `invalid number \`${text}${after}…\`: a name cannot start with a digit`, start, i + text.length + 1);
      }
      tokens.push({ type: 'number', text, start, end: i + text.length });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'ident', text: m[0], start, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= src.length) fail('UNTERMINATED_STRING', `string starting here is not closed with ${ch}`, start, src.length);
        const c = src[j] as string;
        if (c === '\\' && j + 1 < src.length) {
          const n = src[j + 1] as string;
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
          continue;
        }
        if (c === ch) break;
        value += c;
        j++;
      }
      tokens.push({ type: 'string', text: src.slice(i, j + 1), start, end: j + 1, value });
      i = j + 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '&&' || two === '||') fail('UNKNOWN_OPERATOR', `\`${two}\` is not an operator: use \`${two === '&&' ? 'and' : 'or'}\``, start, i + 2, { found: two });
    if (two === '<>') fail('UNKNOWN_OPERATOR', '`<>` is not an operator: use `!=`', start, i + 2, { found: two });
    if (two === '//') fail('UNKNOWN_OPERATOR', '`//` (floor division) is not supported: use `/`', start, i + 2, { found: two });
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, start, end: i + op.length });
      i += op.length;
      continue;
    }
    if (ch === '=') fail('UNKNOWN_OPERATOR', '`=` is not an operator: use `==` to compare', start, i + 1, { found: '=' });
    if (ch === '!') fail('UNKNOWN_OPERATOR', '`!` is not an operator: use `not` (or `!=` to compare)', start, i + 1, { found: '!' });
    fail('UNEXPECTED_CHARACTER', `unexpected character \`${ch}\``, start, i + 1, { found: ch });
  }
  tokens.push({ type: 'eof', text: '', start: src.length, end: src.length });
  return tokens;
}

const COMPARE_OPS = new Set<string>(['<', '<=', '>', '>=', '==', '!=']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }
  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t.type === 'op' && t.text === text;
  }
  private isWord(text: string): boolean {
    const t = this.peek();
    return t.type === 'ident' && t.text === text;
  }
  private describe(t: Token): string {
    return t.type === 'eof' ? 'the end of the rule' : `\`${t.text}\``;
  }

  parseAll(): Expr {
    if (this.peek().type === 'eof') fail('EMPTY_EXPRESSION', 'the rule is empty', 0, 0);
    const e = this.parseOr();
    const t = this.peek();
    if (t.type !== 'eof') {
      if (t.type === 'op' && t.text === ')') fail('UNBALANCED_PARENTHESES', 'unexpected `)`: no matching `(`', t.start, t.end, { found: ')' });
      fail('UNEXPECTED_TOKEN', `unexpected ${this.describe(t)} after a complete expression (missing an operator such as \`and\` or \`>\`?)`, t.start, t.end, { found: t.text });
    }
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or') || this.isOp('|')) {
      const spelling = this.next().text as 'or' | '|';
      const right = this.parseAnd();
      left = { kind: 'logical', op: 'or', spelling, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isWord('and') || this.isOp('&')) {
      const spelling = this.next().text as 'and' | '&';
      const right = this.parseNot();
      left = { kind: 'logical', op: 'and', spelling, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isWord('not')) {
      const t = this.next();
      const operand = this.parseNot();
      return { kind: 'unary', op: 'not', spelling: 'not', operand, start: t.start, end: operand.end };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseAdditive();
    const operands: Expr[] = [first];
    const ops: CompareOp[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && COMPARE_OPS.has(t.text)) {
        this.next();
        ops.push(t.text as CompareOp);
        operands.push(this.parseAdditive());
      } else if (t.type === 'ident' && (t.text === 'is' || t.text === 'in')) {
        fail('UNKNOWN_OPERATOR', `\`${t.text}\` is not supported: use \`==\` / \`!=\``, t.start, t.end, { found: t.text });
      } else break;
    }
    if (ops.length === 0) return first;
    const last = operands[operands.length - 1] as Expr;
    return { kind: 'compare', ops, operands, start: first.start, end: last.end };
  }

  private parseAdditive(): Expr {
    let left = this.parseTerm();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as '+' | '-';
      const right = this.parseTerm();
      left = { kind: 'arithmetic', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseTerm(): Expr {
    let left = this.parseUnary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().text as '*' | '/' | '%';
      const right = this.parseUnary();
      left = { kind: 'arithmetic', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.isOp('-') || this.isOp('+') || this.isOp('~')) {
      const t = this.next();
      const operand = this.parseUnary();
      const spelling = t.text as '-' | '+' | '~';
      return { kind: 'unary', op: spelling === '~' ? 'not' : spelling, spelling, operand, start: t.start, end: operand.end };
    }
    return this.parsePower();
  }

  private parsePower(): Expr {
    const base = this.parsePostfix();
    if (this.isOp('**')) {
      this.next();
      const exponent = this.parseUnary(); // right-associative, and 2 ** -1 is allowed
      return { kind: 'arithmetic', op: '**', left: base, right: exponent, start: base.start, end: exponent.end };
    }
    return base;
  }

  private parsePostfix(): Expr {
    const e = this.parsePrimary();
    if (this.isOp('[')) {
      const open = this.next();
      if (e.kind !== 'column' || e.subscripted) {
        fail('INVALID_SUBSCRIPT', 'only a column name can take a lag subscript, as in `close[1]`', open.start, open.end);
      }
      const k = this.next();
      if (k.type === 'op' && k.text === '-') fail('INVALID_SUBSCRIPT', 'a lag must be a non-negative whole number of bars (`close[1]` = previous bar)', k.start, k.end, { found: '-' });
      if (k.type !== 'number' || !/^\d+$/.test(k.text)) {
        fail('INVALID_SUBSCRIPT', `a lag must be a non-negative whole number of bars, as in \`${e.name}[1]\`; found ${this.describe(k)}`, k.start, k.end, { found: k.text });
      }
      const lag = Number(k.text);
      if (lag > MAX_LAG) fail('INVALID_SUBSCRIPT', `a lag of ${lag} bars is too large (at most ${MAX_LAG})`, k.start, k.end, { found: k.text });
      const close = this.next();
      if (!(close.type === 'op' && close.text === ']')) fail('UNBALANCED_BRACKETS', `expected \`]\` to close the \`[\` at column ${open.start + 1}, found ${this.describe(close)}`, close.start, close.end);
      return { kind: 'column', name: e.name, lag, subscripted: true, start: e.start, end: close.end };
    }
    return e;
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.type) {
      case 'number': {
        const value = Number(t.text.replace(/_/g, ''));
        if (!Number.isFinite(value)) fail('INVALID_NUMBER', `invalid number \`${t.text}\``, t.start, t.end, { found: t.text });
        return { kind: 'number', value, start: t.start, end: t.end };
      }
      case 'string':
        return { kind: 'string', value: t.value ?? '', start: t.start, end: t.end };
      case 'ident': {
        if (t.text === 'True' || t.text === 'true') return { kind: 'boolean', value: true, start: t.start, end: t.end };
        if (t.text === 'False' || t.text === 'false') return { kind: 'boolean', value: false, start: t.start, end: t.end };
        if (KEYWORDS.has(t.text)) fail('EXPECTED_OPERAND', `expected a value before \`${t.text}\``, t.start, t.end, { found: t.text });
        if (this.isOp('(')) return this.parseCall(t);
        return { kind: 'column', name: t.text, lag: 0, subscripted: false, start: t.start, end: t.end };
      }
      case 'op': {
        if (t.text === '(') {
          if (this.isOp(')')) fail('EXPECTED_OPERAND', 'empty parentheses', t.start, this.peek().end);
          const inner = this.parseOr();
          const close = this.next();
          if (!(close.type === 'op' && close.text === ')')) {
            fail('UNBALANCED_PARENTHESES', `expected \`)\` to close the \`(\` at column ${t.start + 1}, found ${this.describe(close)}`, close.type === 'eof' ? t.start : close.start, close.type === 'eof' ? t.end : close.end);
          }
          // keep the parentheses in the span so error positions cover them
          return { ...inner, start: t.start, end: close.end } as Expr;
        }
        fail('EXPECTED_OPERAND', `expected a value (a number, a column name, a string, True/False or a parenthesis), found \`${t.text}\``, t.start, t.end, { found: t.text });
      }
      // falls through: fail() never returns
      case 'eof':
      default:
        fail('EXPECTED_OPERAND', 'the rule ends where a value was expected', t.start, t.end);
    }
  }

  private parseCall(name: Token): Expr {
    const fn = name.text;
    if (!(FUNCTIONS as readonly string[]).includes(fn)) {
      fail('UNKNOWN_FUNCTION', `unknown function \`${fn}\`; available: ${FUNCTIONS.join(', ')}`, name.start, name.end, { found: fn, allowed: FUNCTIONS.join(', ') });
    }
    const open = this.next(); // (
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        args.push(this.parseOr());
        if (this.isOp(',')) { this.next(); continue; }
        break;
      }
    }
    const close = this.next();
    if (!(close.type === 'op' && close.text === ')')) {
      fail('UNBALANCED_PARENTHESES', `expected \`)\` to close the \`(\` of ${fn}() at column ${open.start + 1}, found ${this.describe(close)}`, close.start, close.end);
    }
    if (fn === 'abs' && args.length !== 1) fail('WRONG_ARGUMENT_COUNT', `abs() takes exactly 1 argument, found ${args.length}`, name.start, close.end);
    if ((fn === 'min' || fn === 'max') && args.length < 2) fail('WRONG_ARGUMENT_COUNT', `${fn}() takes at least 2 arguments, found ${args.length}`, name.start, close.end);
    return { kind: 'call', fn: fn as FunctionName, args, start: name.start, end: close.end };
  }
}

export type ParseResult = { readonly ok: true; readonly ast: ExpressionAst } | { readonly ok: false; readonly error: ExpressionProblem };

/** Parse one rule. On failure, the error names the 0-based offset / 1-based column in `source`. */
export function parseExpression(source: string): ParseResult {
  try {
    const tokens = tokenize(source);
    const root = new Parser(tokens).parseAll();
    return { ok: true, ast: { source, root } };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, error: e.problem };
    throw e;
  }
}
