import { z } from 'zod';

/** Canonical decimal string: no exponent, no NaN. Money and sizes travel as these, never as JSON numbers. */
export const DecimalString = z.string().regex(/^-?(0|[1-9]\d*)(\.\d+)?$/, 'expected a decimal string such as "123.45"');
export type DecimalString = z.infer<typeof DecimalString>;

/** Epoch milliseconds, UTC. */
export const UnixMs = z.number().int().nonnegative();
export type UnixMs = z.infer<typeof UnixMs>;

/** Exchange symbol without separator, upper case: BTCUSDT. */
export const MarketSymbol = z.string().regex(/^[A-Z0-9]{2,20}$/, 'expected an upper-case symbol such as BTCUSDT');
export type MarketSymbol = z.infer<typeof MarketSymbol>;

export const Venue = z.enum(['BINANCE', 'BINANCEUS', 'SIMULATED']);
export type Venue = z.infer<typeof Venue>;

export const StrategyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lower-case id of letters, digits and dashes');
export type StrategyId = z.infer<typeof StrategyId>;
