import { Decimal, roundToIncrement, type DecimalInput } from '../core/decimal.js';
import type { Instrument } from '../model/instrument.js';

export interface SizingContext {
  equity: Decimal;
  cash: Decimal;
  price: Decimal;
  instrument: Instrument;
  /** fraction for fees and slippage kept aside so a full-size order is not rejected */
  costBuffer: Decimal;
}

/** Decides the quantity of a new entry. */
export interface PositionSizer {
  readonly name: string;
  size(ctx: SizingContext): Decimal;
}

/** A fixed number of base units (the original's HEAD behaviour: 1 BTC). */
export function fixedUnitsSizer(units: DecimalInput): PositionSizer {
  const u = new Decimal(units);
  return { name: `fixed-units(${u.toFixed()})`, size: ({ instrument }) => roundToIncrement(u, instrument.stepSize, 'down') };
}

/** A fraction of equity at the decision price, rounded down to the step size. */
export function percentOfEquitySizer(fraction: string | number): PositionSizer {
  const f = new Decimal(fraction);
  return {
    name: `percent-of-equity(${f.toFixed()})`,
    size: ({ equity, price, instrument, costBuffer }) => {
      if (!equity.isPositive() || equity.isZero()) return new Decimal(0);
      const notional = equity.times(f).div(costBuffer.plus(1));
      return roundToIncrement(notional.div(price), instrument.stepSize, 'down');
    },
  };
}
