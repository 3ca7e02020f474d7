import { Decimal } from '../core/decimal.js';

/** Exchange trading rules for one symbol. */
export interface Instrument {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: Decimal;
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
  readonly minNotional: Decimal;
}

/** Binance spot BTCUSDT rules (tick 0.01, step 0.00001, min notional 5 USDT). */
export const BTCUSDT: Instrument = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: new Decimal('0.01'),
  stepSize: new Decimal('0.00001'),
  minQty: new Decimal('0.00001'),
  minNotional: new Decimal('5'),
};

/** Rules for a symbol; unknown symbols get BTCUSDT-like precision with their own base/quote split. */
export function instrumentFor(symbol: string): Instrument {
  if (symbol === 'BTCUSDT') return BTCUSDT;
  const quote = ['USDT', 'USDC', 'BUSD', 'USD', 'BTC', 'EUR'].find((q) => symbol.endsWith(q) && symbol.length > q.length) ?? 'USDT';
  return { ...BTCUSDT, symbol, base: symbol.slice(0, symbol.length - quote.length), quote };
}
