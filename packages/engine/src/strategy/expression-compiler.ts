/**
 * Compiles a parsed rule ONCE into closures over column getters; evaluation allocates nothing.
 *
 * Default mode: a small typed language with three-valued logic. null (a missing value; NaN is
 * null) propagates through arithmetic and comparisons, `and`/`or`/`not` follow Kleene logic, and
 * the rule passes only when the result is true (or a non-zero number / non-empty string).
 *
 * Legacy mode (compat §5.4) reproduces the original's evaluator: string equality only in the
 * exact `<col> == '<text>'` shape, `not` of a boolean is always truthy, null in arithmetic or an
 * ordering comparison makes the rule false, `and`/`or` need booleans (or integers), subscripts
 * and min/max make the rule false. Each quirk that can change a result is reported as a warning.
 */
import type { IndicatorValue } from '../indicators/indicator.js';
import { closestMatches, rankBySimilarity } from './config-suggest.js';
import type { CompareOp, Expr, ExpressionAst, ExpressionProblem } from './expression-ast.js';
import { parseExpression } from './expression-parser.js';

export type ColumnGetter = () => IndicatorValue;
/** Returns a getter for column `name`, `lag` bars ago; undefined when the name is unknown (or the lag unsupported). */
export type ColumnResolver = (name: string, lag: number) => ColumnGetter | undefined;

export interface CompileOptions {
  /** Reproduce the original's quirks (compat §5.4). */
  readonly legacy: boolean;
  /** Names the caller could resolve, listed (closest first) when a name is unknown. */
  readonly availableNames?: readonly string[];
  /**
   * Compile unknown names to "missing" instead of failing (the original's silent false), with an
   * UNKNOWN_NAME warning. Off by default: unknown names are errors (ARCHITECTURE §7).
   */
  readonly allowUnknownNames?: boolean;
  /**
   * Legacy mode only: also evaluate the rule with the default semantics and call this whenever a
   * quirk changes the verdict (compat §11 #5: "log when a quirk changes a result"). Costs a second
   * evaluation per call, so pass it only when the report is wanted.
   */
  readonly onQuirk?: (verdicts: { readonly legacy: boolean; readonly corrected: boolean }) => void;
}

export type CompileResult =
  | {
      readonly ok: true;
      /** The rule's verdict for the current values: true only for a true / truthy result. */
      readonly evaluate: () => boolean;
      /** The raw result (null when unknown), e.g. to show why a rule did not pass. */
      readonly value: () => IndicatorValue;
      /** The (name, lag) pairs the rule reads (legacy: subscripts are not read, the rule is false). */
      readonly columns: readonly { readonly name: string; readonly lag: number }[];
      readonly warnings: readonly ExpressionProblem[];
    }
  | { readonly ok: false; readonly errors: readonly ExpressionProblem[]; readonly warnings: readonly ExpressionProblem[] };

/** The evaluator failed (legacy mode): the whole rule is false. */
const FAIL: unique symbol = Symbol('rule-failed');
type Fail = typeof FAIL;
type Val = number | boolean | string | null | Fail;
type Thunk = () => Val;

function problem(code: string, message: string, start: number, end: number, extra: { found?: string; allowed?: string } = {}): ExpressionProblem {
  const p: { -readonly [K in keyof ExpressionProblem]: ExpressionProblem[K] } = {
    code, message, offset: start, column: start + 1, length: Math.max(1, end - start),
  };
  if (extra.found !== undefined) p.found = extra.found;
  if (extra.allowed !== undefined) p.allowed = extra.allowed;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------------------------

/** number/boolean → number (Python: True == 1); anything else → undefined. */
function numeric(v: Val): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

function truthy(v: Val): boolean {
  if (v === null || v === FAIL) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0; // NaN: only reachable in legacy, where Python's bool(nan) is True
  return v.length > 0;
}

function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return pyMod(a, b);
    default: return a ** b;
  }
}

function compareValues(op: CompareOp, a: number | string, b: number | string): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '==': return a === b;
    default: return a !== b;
  }
}

/** Default-mode comparison of two present values (never null). */
function compareDefault(op: CompareOp, a: Exclude<Val, null | Fail>, b: Exclude<Val, null | Fail>): boolean | null {
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareValues(op, na, nb);
  if (typeof a === 'string' && typeof b === 'string') return compareValues(op, a, b);
  // string against number/boolean
  if (op === '==') return false;
  if (op === '!=') return true;
  return null;
}

/** Python's comparison of two values for the legacy evaluator (None, TypeError → FAIL). */
function compareLegacy(op: CompareOp, a: Val, b: Val): Val {
  if (a === FAIL || b === FAIL) return FAIL;
  if (op === '==' || op === '!=') {
    let eq: boolean;
    if (a === null || b === null) eq = a === b;
    else {
      const na = numeric(a);
      const nb = numeric(b);
      eq = na !== undefined && nb !== undefined ? na === nb : a === b;
    }
    return op === '==' ? eq : !eq;
  }
  if (a === null || b === null) return FAIL;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined && nb !== undefined) return compareValues(op, na, nb);
  if (typeof a === 'string' && typeof b === 'string') return compareValues(op, a, b);
  return FAIL;
}

// ---------------------------------------------------------------------------------------------
// Static information
// ---------------------------------------------------------------------------------------------

/** Python int-ness of a sub-expression (legacy `&`/`|` and `~` only accept ints and booleans). */
function intLike(e: Expr): boolean {
  switch (e.kind) {
    case 'number': return Number.isInteger(e.value) && !/[.eE]/.test(String(e.value));
    case 'boolean': return true;
    case 'unary': return e.op === 'not' ? true : intLike(e.operand);
    case 'arithmetic': return e.op !== '/' && intLike(e.left) && intLike(e.right);
    case 'compare': return true; // a Python bool
    default: return false;
  }
}

type StaticType = 'number' | 'string' | 'boolean' | 'unknown';
function staticType(e: Expr): StaticType {
  switch (e.kind) {
    case 'number':
    case 'arithmetic': return 'number';
    case 'string': return 'string';
    case 'boolean':
    case 'compare':
    case 'logical': return 'boolean';
    case 'unary': return e.op === 'not' ? 'boolean' : 'number';
    case 'call': return 'number';
    default: return 'unknown';
  }
}

const LEGACY_STRING_SHAPE = /^(\S+) +(==|!=) +(['"]).*(['"])$/;

// ---------------------------------------------------------------------------------------------
// Compiler
// ---------------------------------------------------------------------------------------------

class Compiler {
  readonly errors: ExpressionProblem[] = [];
  readonly warnings: ExpressionProblem[] = [];
  /** Distinct (name, lag) pairs the compiled closures read, in order of first appearance. */
  readonly reads: { name: string; lag: number }[] = [];
  constructor(
    private readonly resolve: ColumnResolver,
    private readonly options: CompileOptions,
  ) {}

  private get legacy(): boolean {
    return this.options.legacy;
  }

  column(name: string, lag: number, start: number, end: number, subscripted: boolean): Thunk {
    const text = subscripted ? `${name}[${lag}]` : name;
    if (subscripted && this.legacy) {
      this.warnings.push(problem('LEGACY_SUBSCRIPT', `\`${text}\`: the original does not support subscripts, so in legacy mode this rule is always false`, start, end, { found: text }));
      return () => FAIL;
    }
    const getter = this.resolve(name, lag);
    if (getter === undefined) {
      const available = this.options.availableNames ?? [];
      const known = available.includes(name);
      let message: string;
      if (known && lag > 0) message = `\`${text}\`: a lag of ${lag} bars is not available for \`${name}\``;
      else {
        const close = closestMatches(name, available, 3);
        const ranked = rankBySimilarity(name, available);
        message = `unknown name \`${name}\`` +
          (close.length > 0 ? `; did you mean ${close.map((c) => `\`${c}\``).join(', ')}?` : '') +
          (available.length > 0 ? ` Available: ${ranked.slice(0, 40).join(', ')}${ranked.length > 40 ? `, … (${ranked.length} in all)` : ''}` : '');
      }
      const p = problem(known && lag > 0 ? 'LAG_UNAVAILABLE' : 'UNKNOWN_NAME', message, start, end, {
        found: text,
        ...(available.length > 0 ? { allowed: rankBySimilarity(name, available).join(', ') } : {}),
      });
      if (this.options.allowUnknownNames === true) {
        this.warnings.push(p);
        return this.legacy ? () => FAIL : () => null;
      }
      this.errors.push(p);
      return () => null;
    }
    if (!this.reads.some((r) => r.name === name && r.lag === lag)) this.reads.push({ name, lag });
    return () => {
      const v = getter();
      return v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
    };
  }

  compile(e: Expr): Thunk {
    switch (e.kind) {
      case 'number': { const v = e.value; return () => v; }
      case 'string': { const v = e.value; return () => v; }
      case 'boolean': { const v = e.value; return () => v; }
      case 'column': return this.column(e.name, e.lag, e.start, e.end, e.subscripted);
      case 'unary': return this.unary(e as Extract<Expr, { kind: 'unary' }>);
      case 'arithmetic': return this.arithmetic(e as Extract<Expr, { kind: 'arithmetic' }>);
      case 'compare': return this.compare(e as Extract<Expr, { kind: 'compare' }>);
      case 'logical': return this.logical(e as Extract<Expr, { kind: 'logical' }>);
      case 'call': return this.call(e as Extract<Expr, { kind: 'call' }>);
    }
  }

  private requireNumeric(e: Expr, what: string): void {
    if (staticType(e) === 'string') {
      this.errors.push(problem('TYPE_MISMATCH', `${what} needs numbers, found the string ${JSON.stringify((e as { value: string }).value)}`, e.start, e.end));
    }
  }

  private unary(e: Extract<Expr, { kind: 'unary' }>): Thunk {
    const x = this.compile(e.operand);
    if (e.op === 'not') {
      if (this.legacy) {
        this.warnings.push(problem('LEGACY_NOT', `\`${e.spelling}\` in legacy mode: the original inverts bits, so \`${e.spelling}\` of True/False is always truthy`, e.start, e.end));
        const operandIsInt = intLike(e.operand);
        return () => {
          const v = x();
          if (typeof v === 'boolean') return ~Number(v); // -2 or -1: truthy
          if (typeof v === 'number' && operandIsInt && Number.isInteger(v)) return ~v;
          return FAIL; // None, float, str: TypeError
        };
      }
      return () => {
        const v = x();
        return v === null ? null : !truthy(v);
      };
    }
    this.requireNumeric(e.operand, `unary ${e.op}`);
    const sign = e.op === '-' ? -1 : 1;
    if (this.legacy) {
      return () => {
        const n = numeric(x());
        return n === undefined ? FAIL : sign * n;
      };
    }
    return () => {
      const n = numeric(x());
      return n === undefined ? null : sign * n;
    };
  }

  private arithmetic(e: Extract<Expr, { kind: 'arithmetic' }>): Thunk {
    this.requireNumeric(e.left, `\`${e.op}\``);
    this.requireNumeric(e.right, `\`${e.op}\``);
    const l = this.compile(e.left);
    const r = this.compile(e.right);
    const op = e.op;
    if (this.legacy) {
      return () => {
        const a = numeric(l());
        const b = numeric(r());
        if (a === undefined || b === undefined) return FAIL; // None / str: TypeError
        if ((op === '/' || op === '%') && b === 0) return FAIL; // ZeroDivisionError
        return arith(op, a, b);
      };
    }
    return () => {
      const a = numeric(l());
      if (a === undefined) return null;
      const b = numeric(r());
      if (b === undefined) return null;
      const v = arith(op, a, b);
      return Number.isFinite(v) ? v : null;
    };
  }

  private compare(e: Extract<Expr, { kind: 'compare' }>): Thunk {
    const ops = e.ops;
    const operands = e.operands;
    // statically meaningless comparisons in default mode
    if (!this.legacy) {
      ops.forEach((op, i) => {
        const a = operands[i] as Expr;
        const b = operands[i + 1] as Expr;
        const ta = staticType(a);
        const tb = staticType(b);
        if (op !== '==' && op !== '!=' && ((ta === 'string' && (tb === 'number' || tb === 'boolean')) || (tb === 'string' && (ta === 'number' || ta === 'boolean')))) {
          this.errors.push(problem('TYPE_MISMATCH', `\`${op}\` cannot order a string and a number`, a.start, b.end));
        }
      });
    }
    const thunks = operands.map((o) => this.compile(o));
    const literalString = operands.map((o) => o.kind === 'string');
    if (this.legacy) {
      literalString.forEach((isLit, i) => {
        if (!isLit) return;
        const o = operands[i] as Expr;
        this.warnings.push(problem('LEGACY_STRING_COMPARE', 'a string literal outside the exact `<column> == \'<text>\'` shape: in legacy mode `==` against it is always false and `!=` always true', o.start, o.end));
      });
      const n = ops.length;
      return () => {
        // pandas evaluates every link of a chain (no short-circuit) and ANDs them
        let prev = (thunks[0] as Thunk)();
        let result: boolean = true;
        for (let i = 0; i < n; i++) {
          const next = (thunks[i + 1] as Thunk)();
          const op = ops[i] as CompareOp;
          let link: Val;
          if (prev === FAIL || next === FAIL) return FAIL;
          if (literalString[i] === true || literalString[i + 1] === true) {
            link = op === '==' ? false : op === '!=' ? true : FAIL;
          } else link = compareLegacy(op, prev, next);
          if (link === FAIL) return FAIL;
          result = result && link === true;
          prev = next;
        }
        return result;
      };
    }
    if (ops.length === 1) {
      const op = ops[0] as CompareOp;
      const l = thunks[0] as Thunk;
      const r = thunks[1] as Thunk;
      return () => {
        const a = l();
        if (a === null || a === FAIL) return null;
        const b = r();
        if (b === null || b === FAIL) return null;
        return compareDefault(op, a, b);
      };
    }
    const n = ops.length;
    return () => {
      // three-valued AND of the links; each operand evaluated once
      let sawNull = false;
      let prev = (thunks[0] as Thunk)();
      for (let i = 0; i < n; i++) {
        const next = (thunks[i + 1] as Thunk)();
        if (prev === null || prev === FAIL || next === null || next === FAIL) sawNull = true;
        else {
          const link = compareDefault(ops[i] as CompareOp, prev, next);
          if (link === false) return false;
          if (link === null) sawNull = true;
        }
        prev = next;
      }
      return sawNull ? null : true;
    };
  }

  private logical(e: Extract<Expr, { kind: 'logical' }>): Thunk {
    const l = this.compile(e.left);
    const r = this.compile(e.right);
    const isAnd = e.op === 'and';
    if (this.legacy) {
      const leftInt = intLike(e.left);
      const rightInt = intLike(e.right);
      const asInt = (v: Val, isInt: boolean): number | undefined =>
        typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' && isInt && Number.isInteger(v) ? v : undefined;
      return () => {
        // pandas turns and/or into & and | : both sides evaluated, booleans or ints only
        const a = l();
        const b = r();
        if (a === FAIL || b === FAIL) return FAIL;
        if (typeof a === 'boolean' && typeof b === 'boolean') return isAnd ? a && b : a || b;
        const ia = asInt(a, leftInt);
        const ib = asInt(b, rightInt);
        if (ia === undefined || ib === undefined) return FAIL;
        return isAnd ? ia & ib : ia | ib;
      };
    }
    if (isAnd) {
      return () => {
        const a = l();
        if (a !== null && !truthy(a)) return false;
        const b = r();
        if (b !== null && !truthy(b)) return false;
        return a === null || b === null ? null : true;
      };
    }
    return () => {
      const a = l();
      if (a !== null && truthy(a)) return true;
      const b = r();
      if (b !== null && truthy(b)) return true;
      return a === null || b === null ? null : false;
    };
  }

  private call(e: Extract<Expr, { kind: 'call' }>): Thunk {
    e.args.forEach((a) => this.requireNumeric(a, `${e.fn}()`));
    const args = e.args.map((a) => this.compile(a));
    if (e.fn === 'abs') {
      const x = args[0] as Thunk;
      const missing = this.legacy ? FAIL : null;
      return () => {
        const n = numeric(x());
        return n === undefined ? missing : Math.abs(n);
      };
    }
    if (this.legacy) {
      this.warnings.push(problem('LEGACY_FUNCTION', `\`${e.fn}()\` is not available in the original's evaluator: in legacy mode this rule is always false`, e.start, e.end, { found: e.fn }));
      return () => FAIL;
    }
    const pick = e.fn === 'min' ? Math.min : Math.max;
    return () => {
      let acc: number | undefined;
      for (const a of args) {
        const n = numeric(a());
        if (n === undefined) return null;
        acc = acc === undefined ? n : pick(acc, n);
      }
      return acc ?? null;
    };
  }
}

/** Legacy pre-check (compat §5.4 #1): `<column> == '<text>'` compares the column with the text. */
function legacyStringRule(source: string, resolve: ColumnResolver): { thunk: Thunk; name: string } | undefined {
  const m = LEGACY_STRING_SHAPE.exec(source.trim());
  if (!m) return undefined;
  const name = m[1] as string;
  const getter = resolve(name, 0);
  if (!getter) return undefined;
  const rest = source.trim().slice(source.trim().indexOf(m[2] as string) + 2).trim();
  const text = rest.replace(/^['"]+|['"]+$/g, '');
  const equal = m[2] === '==';
  return {
    name,
    thunk: () => {
      const v = getter();
      const same = typeof v === 'string' && v === text;
      return equal ? same : !same;
    },
  };
}

/**
 * Compile a parsed rule against the caller's columns. All problems in the rule are reported,
 * each with its offset/column in the rule text.
 */
export function compileExpression(ast: ExpressionAst, resolve: ColumnResolver, options: CompileOptions): CompileResult {
  const result = compileOnce(ast, resolve, options);
  const onQuirk = options.onQuirk;
  if (!options.legacy || onQuirk === undefined || !result.ok) return result;
  const corrected = compileOnce(ast, resolve, { ...options, legacy: false, allowUnknownNames: true });
  if (!corrected.ok) return result;
  const legacyEvaluate = result.evaluate;
  const correctedEvaluate = corrected.evaluate;
  return {
    ...result,
    evaluate: () => {
      const l = legacyEvaluate();
      const c = correctedEvaluate();
      if (l !== c) onQuirk({ legacy: l, corrected: c });
      return l;
    },
  };
}

function compileOnce(ast: ExpressionAst, resolve: ColumnResolver, options: CompileOptions): CompileResult {
  if (options.legacy) {
    const pre = legacyStringRule(ast.source, resolve);
    if (pre) {
      const t = pre.thunk;
      return { ok: true, evaluate: () => t() === true, value: () => t() as boolean, columns: [{ name: pre.name, lag: 0 }], warnings: [] };
    }
  }
  const compiler = new Compiler(resolve, options);
  const thunk = compiler.compile(ast.root);
  if (compiler.errors.length > 0) {
    const byOffset = (a: ExpressionProblem, b: ExpressionProblem): number => a.offset - b.offset;
    return { ok: false, errors: [...compiler.errors].sort(byOffset), warnings: compiler.warnings };
  }
  const evaluate = (): boolean => truthy(thunk());
  const value = (): IndicatorValue => {
    const v = thunk();
    return v === FAIL ? null : v;
  };
  return { ok: true, evaluate, value, columns: compiler.reads, warnings: compiler.warnings };
}

/** Parse and compile in one step. */
export function compileRule(source: string, resolve: ColumnResolver, options: CompileOptions): CompileResult {
  const parsed = parseExpression(source);
  if (!parsed.ok) return { ok: false, errors: [parsed.error], warnings: [] };
  return compileExpression(parsed.ast, resolve, options);
}

/**
 * Combine compiled rules of one list: `all` (AND, the original's behaviour; an empty list never
 * passes) or `any` (OR). Evaluation stops at the first deciding rule.
 */
export function combineRules(rules: readonly (() => boolean)[], mode: 'all' | 'any'): () => boolean {
  if (rules.length === 0) return () => false;
  const list = [...rules];
  if (mode === 'all') {
    return () => {
      for (const r of list) if (!r()) return false;
      return true;
    };
  }
  return () => {
    for (const r of list) if (r()) return true;
    return false;
  };
}
