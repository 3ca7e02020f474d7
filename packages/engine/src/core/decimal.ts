import { Decimal as DecimalJs } from 'decimal.js';

/**
 * The only module that imports decimal.js. Money, sizes and fees use this clone (40 significant
 * digits, banker's rounding) so nothing touches decimal.js's global configuration.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalInput = Decimal | string | number;

export const ZERO = new Decimal(0);

/** Converts a float64 price (from candles or indicators) to the shortest decimal that round-trips. */
export function dec(value: DecimalInput): Decimal {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return new Decimal(value.toString());
  }
  return new Decimal(value);
}

/** Canonical decimal string without exponent and without trailing zeros ("0" for zero). */
export function toDecimalString(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

/**
 * The canonical decimal text of a value arriving as exchange text or as a float — the form money
 * and sizes travel in, as toDecimalString gives for a Decimal. Exchange text ("61837.63000000") is
 * only trimmed of trailing zeros, never re-parsed (it is the market-data hot path, about ten times
 * cheaper than a Decimal round trip); a float is written with at most `floatDigits` fraction digits.
 */
export function canonicalDecimal(value: number | string, floatDigits = 8): string {
  if (typeof value === 'string') {
    if (value.indexOf('.') < 0) return value;
    let end = value.length;
    while (end > 0 && value.charCodeAt(end - 1) === 48 /* 0 */) end--;
    if (value.charCodeAt(end - 1) === 46 /* . */) end--;
    const text = value.slice(0, end);
    return text === '' || text === '-0' ? '0' : text;
  }
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return canonicalDecimal(value.toFixed(floatDigits));
}

export const RoundingMode = { down: DecimalJs.ROUND_DOWN, up: DecimalJs.ROUND_UP, halfEven: DecimalJs.ROUND_HALF_EVEN } as const;

/** Rounds to a multiple of `increment` (tick or step size) with the given direction. */
export function roundToIncrement(value: Decimal, increment: Decimal, mode: 'down' | 'up' | 'nearest'): Decimal {
  const rounding = mode === 'down' ? DecimalJs.ROUND_FLOOR : mode === 'up' ? DecimalJs.ROUND_CEIL : DecimalJs.ROUND_HALF_EVEN;
  return value.toNearest(increment, rounding);
}
