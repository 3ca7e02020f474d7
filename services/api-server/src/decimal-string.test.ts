import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDecimals, compareDecimal, formatDecimal, parseDecimal, percentOf, subDecimal } from './decimal-string.js';

describe('decimal strings', () => {
  it('adds and subtracts exactly', () => {
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimals(['1.5', '-3.25', '10'])).toBe('8.25');
    expect(subDecimal('10012.75', '10000')).toBe('12.75');
    expect(subDecimal('9449.0994508472', '10000')).toBe('-550.90054915');
    expect(addDecimals([])).toBe('0');
  });

  it('compares and computes percentages rounded to 6 decimals', () => {
    expect(compareDecimal('40079', '40070.5')).toBe(1);
    expect(compareDecimal('-1', '0')).toBe(-1);
    expect(compareDecimal('1.50', '1.5')).toBe(0);
    expect(percentOf('-550.90054915', '10000')).toBe(-5.509005);
    expect(percentOf('12.75', '10000')).toBe(0.1275);
    expect(percentOf('1', '0')).toBe(0);
  });

  it('round-trips any decimal with up to 8 fraction digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 8 }), (units, digits) => {
        const scale = 10n ** BigInt(digits);
        const neg = units < 0n;
        const abs = neg ? -units : units;
        const frac = (abs % scale).toString().padStart(digits, '0');
        const text = `${neg ? '-' : ''}${abs / scale}${digits > 0 ? `.${frac}` : ''}`;
        const canonical = formatDecimal(parseDecimal(text));
        expect(compareDecimal(canonical, text)).toBe(0);
      }),
    );
  });

  it('refuses what is not a decimal string', () => {
    expect(() => parseDecimal('1e5')).toThrow(RangeError);
    expect(() => parseDecimal('NaN')).toThrow(RangeError);
  });
});
