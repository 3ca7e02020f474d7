import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, canonicalDecimal, toDecimalString } from './decimal.js';

describe('decimal text: the one form money and sizes travel in', () => {
  it('canonicalDecimal writes canonical decimals from exchange text and from floats', () => {
    expect(['61837.63000000', '0.00000000', '100', '1.50', 0.1 + 0.2, 65000, 1e-9].map((v) => canonicalDecimal(v))).toEqual(['61837.63', '0', '100', '1.5', '0.3', '65000', '0']);
    expect(canonicalDecimal(-0.000000001)).toBe('0');
    expect(canonicalDecimal(-2.5)).toBe('-2.5');
    expect(() => canonicalDecimal(Number.NaN)).toThrow(RangeError);
  });

  it('canonicalDecimal of exchange text equals the Decimal round trip (toDecimalString), without parsing it', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 16n }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 }), (units, digits, padding) => {
        const scale = 10n ** BigInt(digits);
        const text = `${units / scale}${digits > 0 ? `.${(units % scale).toString().padStart(digits, '0')}${'0'.repeat(padding)}` : ''}`;
        expect(canonicalDecimal(text)).toBe(toDecimalString(new Decimal(text)));
      }),
    );
  });

  it('sums and differences of decimal strings are exact and never written with an exponent', () => {
    expect(toDecimalString(['0.1', '0.2'].reduce((s, v) => s.plus(v), ZERO))).toBe('0.3');
    expect(toDecimalString(['1.5', '-3.25', '10'].reduce((s, v) => s.plus(v), ZERO))).toBe('8.25');
    expect(toDecimalString(new Decimal('10012.75').minus('10000'))).toBe('12.75');
    expect(toDecimalString(new Decimal('9449.0994508472').minus('10000'))).toBe('-550.9005491528');
    expect(toDecimalString(new Decimal('0.000000001'))).toBe('0.000000001');
    expect(toDecimalString(new Decimal('1e25'))).toBe('10000000000000000000000000');
    expect(new Decimal('1.50').eq('1.5')).toBe(true);
    expect(new Decimal('40079').gt('40070.5')).toBe(true);
  });
});
