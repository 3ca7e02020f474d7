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

export const RoundingMode = { down: DecimalJs.ROUND_DOWN, up: DecimalJs.ROUND_UP, halfEven: DecimalJs.ROUND_HALF_EVEN } as const;

/** Rounds to a multiple of `increment` (tick or step size) with the given direction. */
export function roundToIncrement(value: Decimal, increment: Decimal, mode: 'down' | 'up' | 'nearest'): Decimal {
  const rounding = mode === 'down' ? DecimalJs.ROUND_FLOOR : mode === 'up' ? DecimalJs.ROUND_CEIL : DecimalJs.ROUND_HALF_EVEN;
  return value.toNearest(increment, rounding);
}
