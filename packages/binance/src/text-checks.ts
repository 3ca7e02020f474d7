const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;
const SYMBOL = /^[A-Z0-9]{2,20}$/;

/** A non-negative decimal in Binance's text form ("61837.63000000"): no sign, no exponent. */
export const isDecimalText = (v: unknown): v is string => typeof v === 'string' && DECIMAL.test(v);

/** A Binance symbol as frames carry it: BTCUSDT. */
export const isSymbolText = (v: unknown): v is string => typeof v === 'string' && SYMBOL.test(v);
