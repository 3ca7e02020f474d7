/**
 * A candle covers the half-open interval [openTime, closeTime) in epoch milliseconds UTC.
 * Prices are float64 here (indicator maths); money is computed with Decimal in the ledger.
 */
export interface Candle {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}
