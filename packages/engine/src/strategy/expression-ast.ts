/**
 * Syntax tree of a rule expression (docs/strategy-format.md, "Rule expressions").
 * Every node records its character span [start, end) in the rule text (0-based offsets).
 */

export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '**';
export type FunctionName = 'abs' | 'min' | 'max';
export const FUNCTIONS: readonly FunctionName[] = ['abs', 'min', 'max'];

interface Span {
  readonly start: number;
  readonly end: number;
}

export type Expr =
  | (Span & { readonly kind: 'number'; readonly value: number })
  | (Span & { readonly kind: 'string'; readonly value: string })
  | (Span & { readonly kind: 'boolean'; readonly value: boolean })
  /** A column, `lag` bars ago (`x[k]`; 0 for a plain name). */
  | (Span & { readonly kind: 'column'; readonly name: string; readonly lag: number; readonly subscripted: boolean })
  /** `not` (loose, as Python's `not`) and `~` (tight) are both logical negation; `-`/`+` numeric. */
  | (Span & { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly spelling: 'not' | '~' | '-' | '+'; readonly operand: Expr })
  | (Span & { readonly kind: 'arithmetic'; readonly op: ArithmeticOp; readonly left: Expr; readonly right: Expr })
  /** A comparison chain: `a < b < c` has operands [a, b, c] and ops ['<', '<']. */
  | (Span & { readonly kind: 'compare'; readonly ops: readonly CompareOp[]; readonly operands: readonly Expr[] })
  /** `and`/`&` and `or`/`|` (the symbols are aliases, as in the original's pandas parser). */
  | (Span & { readonly kind: 'logical'; readonly op: 'and' | 'or'; readonly spelling: 'and' | 'or' | '&' | '|'; readonly left: Expr; readonly right: Expr })
  | (Span & { readonly kind: 'call'; readonly fn: FunctionName; readonly args: readonly Expr[] });

export interface ExpressionAst {
  /** The rule text as written. */
  readonly source: string;
  readonly root: Expr;
}

/** A problem in a rule; `offset` is 0-based in the rule text, `column` = offset + 1. */
export interface ExpressionProblem {
  readonly code: string;
  readonly message: string;
  readonly offset: number;
  readonly column: number;
  readonly length: number;
  readonly found?: string;
  readonly allowed?: string;
}

/** Distinct (name, lag) pairs a tree reads, in order of first appearance. */
export function columnsOf(root: Expr): { name: string; lag: number }[] {
  const out: { name: string; lag: number }[] = [];
  const seen = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'column': {
        const key = `${e.name}[${e.lag}]`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push({ name: e.name, lag: e.lag });
        }
        return;
      }
      case 'unary': return visit(e.operand);
      case 'arithmetic':
      case 'logical': visit(e.left); visit(e.right); return;
      case 'compare': e.operands.forEach(visit); return;
      case 'call': e.args.forEach(visit); return;
      default: return;
    }
  };
  visit(root);
  return out;
}

const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, add: 5, mul: 6, unary: 7, pow: 8, atom: 9 } as const;

function precedenceOf(e: Expr): number {
  switch (e.kind) {
    case 'logical': return e.op === 'or' ? PRECEDENCE.or : PRECEDENCE.and;
    case 'unary': return e.spelling === 'not' ? PRECEDENCE.not : PRECEDENCE.unary;
    case 'compare': return PRECEDENCE.compare;
    case 'arithmetic': return e.op === '+' || e.op === '-' ? PRECEDENCE.add : e.op === '**' ? PRECEDENCE.pow : PRECEDENCE.mul;
    default: return PRECEDENCE.atom;
  }
}

/** Canonical text with only the parentheses precedence needs (used in messages and tests). */
export function formatExpr(e: Expr): string {
  const wrap = (child: Expr, min: number): string => (precedenceOf(child) < min ? `(${formatExpr(child)})` : formatExpr(child));
  switch (e.kind) {
    case 'number': return String(e.value);
    case 'string': return `'${e.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    case 'boolean': return e.value ? 'True' : 'False';
    case 'column': return e.subscripted ? `${e.name}[${e.lag}]` : e.name;
    case 'unary':
      return e.spelling === 'not' ? `not ${wrap(e.operand, PRECEDENCE.not)}` : `${e.spelling}${wrap(e.operand, PRECEDENCE.unary)}`;
    case 'arithmetic': {
      const p = precedenceOf(e);
      if (e.op === '**') return `${wrap(e.left, p + 1)} ** ${wrap(e.right, PRECEDENCE.unary)}`;
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case 'compare': {
      let s = wrap(e.operands[0] as Expr, PRECEDENCE.compare + 1);
      e.ops.forEach((op, i) => { s += ` ${op} ${wrap(e.operands[i + 1] as Expr, PRECEDENCE.compare + 1)}`; });
      return s;
    }
    case 'logical': {
      const p = precedenceOf(e);
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case 'call': return `${e.fn}(${e.args.map(formatExpr).join(', ')})`;
  }
}
