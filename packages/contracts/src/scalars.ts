import { z } from 'zod';

/** The text of a DecimalString (shared with the market-data fast path, which must accept exactly what zod accepts). */
export const DECIMAL_STRING_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Canonical decimal string: no exponent, no NaN. Money and sizes travel as these, never as JSON numbers. */
export const DecimalString = z.string().regex(DECIMAL_STRING_PATTERN, 'expected a decimal string such as "123.45"');
export type DecimalString = z.infer<typeof DecimalString>;

/** Epoch milliseconds, UTC. */
export const UnixMs = z.number().int().nonnegative();
export type UnixMs = z.infer<typeof UnixMs>;

/** The text of a MarketSymbol. */
export const MARKET_SYMBOL_PATTERN = /^[A-Z0-9]{2,20}$/;

/** Exchange symbol without separator, upper case: BTCUSDT. */
export const MarketSymbol = z.string().regex(MARKET_SYMBOL_PATTERN, 'expected an upper-case symbol such as BTCUSDT');
export type MarketSymbol = z.infer<typeof MarketSymbol>;

export const Venue = z.enum(['BINANCE', 'BINANCEUS', 'SIMULATED']);
export type Venue = z.infer<typeof Venue>;

export const StrategyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lower-case id of letters, digits and dashes');
export type StrategyId = z.infer<typeof StrategyId>;
