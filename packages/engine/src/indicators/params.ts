/**
 * Parameter validation shared by every indicator definition.
 *
 * The original passes every non-framework YAML key as a constructor keyword argument, so an unknown
 * name is a hard error; wrong types were not validated there (they crashed later). Here both are
 * reported up front, with the indicator type, the parameter name and the offending value.
 */

export type ParamSpec =
  | { readonly kind: 'int'; readonly default: number; readonly min?: number; readonly max?: number }
  | {
      readonly kind: 'number';
      readonly default: number;
      readonly min?: number;
      readonly exclusiveMin?: number;
      readonly max?: number;
    }
  | { readonly kind: 'bool'; readonly default: boolean }
  | { readonly kind: 'enum'; readonly default: string; readonly values: readonly string[] }
  /** Optional list of finite numbers (null = not supplied). */
  | { readonly kind: 'numberList'; readonly default: null }
  /** Accepted for compatibility and ignored (the original accepts these keys and never reads them). */
  | { readonly kind: 'ignored'; readonly default: unknown };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

export type ParseResult<P> = { ok: true; params: P } | { ok: false; errors: string[] };

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s;
  } catch {
    return String(value);
  }
}

function checkOne(type: string, name: string, spec: ParamSpec, value: unknown, errors: string[]): unknown {
  const where = `${type}.${name}`;
  switch (spec.kind) {
    case 'int': {
      const lo = spec.min ?? Number.NEGATIVE_INFINITY;
      const hi = spec.max ?? Number.POSITIVE_INFINITY;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
        const range = spec.max === undefined ? `>= ${lo}` : `in ${lo}..${hi}`;
        errors.push(`${where} must be an integer ${range}, got ${show(value)}`);
        return spec.default;
      }
      return value;
    }
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        errors.push(`${where} must be a finite number, got ${show(value)}`);
        return spec.default;
      }
      if (spec.min !== undefined && value < spec.min) {
        errors.push(`${where} must be >= ${spec.min}, got ${show(value)}`);
      } else if (spec.exclusiveMin !== undefined && value <= spec.exclusiveMin) {
        errors.push(`${where} must be > ${spec.exclusiveMin}, got ${show(value)}`);
      } else if (spec.max !== undefined && value > spec.max) {
        errors.push(`${where} must be <= ${spec.max}, got ${show(value)}`);
      }
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') {
        errors.push(`${where} must be true or false, got ${show(value)}`);
        return spec.default;
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        errors.push(`${where} must be one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(value)}`);
        return spec.default;
      }
      return value;
    case 'numberList':
      if (value === null) return null;
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
        errors.push(`${where} must be null or a list of finite numbers, got ${show(value)}`);
        return null;
      }
      return [...(value as number[])];
    case 'ignored':
      return value;
  }
}

/**
 * Validates `raw` against `specs`: unknown names are errors (all of them are listed, together with the
 * allowed names), missing names take their defaults, present names are type and range checked.
 */
export function parseWithSpecs<P>(type: string, specs: ParamSpecs, raw: Record<string, unknown>): ParseResult<P> {
  const errors: string[] = [];
  const allowed = Object.keys(specs);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [`${type}: parameters must be a mapping, got ${show(raw)}`] };
  }
  const unknown = Object.keys(raw).filter((k) => !Object.prototype.hasOwnProperty.call(specs, k));
  if (unknown.length > 0) {
    errors.push(
      `${type}: unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; ` +
        `allowed: ${allowed.length > 0 ? allowed.join(', ') : '(none)'}`,
    );
  }
  const params: Record<string, unknown> = {};
  for (const name of allowed) {
    const spec = specs[name] as ParamSpec;
    params[name] = Object.prototype.hasOwnProperty.call(raw, name)
      ? checkOne(type, name, spec, raw[name], errors)
      : spec.default;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, params: params as P };
}
