/**
 * Exact arithmetic on the decimal strings that money travels in (convention 4), for the few sums the
 * read model needs (PnL totals, candle volumes). Values are scaled to 18 fractional digits as bigint.
 */
const SCALE = 18;
const FACTOR = 10n ** BigInt(SCALE);

export function parseDecimal(s: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s.trim());
  if (!m) throw new RangeError(`not a decimal string: ${JSON.stringify(s)}`);
  const [, sign = '', intPart = '0', frac = ''] = m;
  const fracScaled = (frac + '0'.repeat(SCALE)).slice(0, SCALE);
  const v = BigInt(intPart) * FACTOR + BigInt(fracScaled);
  return sign === '-' ? -v : v;
}

export function formatDecimal(v: bigint, maxFractionDigits = 8): string {
  const neg = v < 0n;
  let abs = neg ? -v : v;
  // round half away from zero to maxFractionDigits
  const drop = 10n ** BigInt(SCALE - maxFractionDigits);
  abs = ((abs + drop / 2n) / drop) * drop;
  const intPart = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0').slice(0, maxFractionDigits).replace(/0+$/, '');
  const body = frac.length > 0 ? `${intPart}.${frac}` : `${intPart}`;
  return neg && abs !== 0n ? `-${body}` : body;
}

export function addDecimals(values: readonly string[]): string {
  let sum = 0n;
  for (const v of values) sum += parseDecimal(v);
  return formatDecimal(sum);
}

export function subDecimal(a: string, b: string): string {
  return formatDecimal(parseDecimal(a) - parseDecimal(b));
}

export function compareDecimal(a: string, b: string): number {
  const d = parseDecimal(a) - parseDecimal(b);
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

/** a / b × 100 as a float rounded to 6 decimals, for percentages where float is fine. */
export function percentOf(a: string, b: string): number {
  const bb = parseDecimal(b);
  if (bb === 0n) return 0;
  const scaled = (parseDecimal(a) * 100_000_000n) / bb; // 1e2 (percent) × 1e6 (decimals)
  return Number(scaled) / 1e6;
}
