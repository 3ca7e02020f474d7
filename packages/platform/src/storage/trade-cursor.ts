import { ValidationError } from '../errors.js';

/**
 * Position in the newest-first trade order: (time, seq) where seq is the insertion order of the
 * trade within its strategy. Encoded as an opaque base64url string for API clients.
 */
export interface TradeCursor {
  time: number;
  seq: number;
}

export function encodeTradeCursor(cursor: TradeCursor): string {
  return Buffer.from(JSON.stringify([cursor.time, cursor.seq]), 'utf8').toString('base64url');
}

export function decodeTradeCursor(text: string): TradeCursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
      return { time: value[0] as number, seq: value[1] as number };
    }
  } catch {
    // fall through to the validation error below
  }
  throw new ValidationError('invalid trade cursor', { details: { cursor: text } });
}

/** true when a trade at (time, seq) comes after the cursor in newest-first order (i.e. is older) */
export function isOlderThan(time: number, seq: number, cursor: TradeCursor): boolean {
  return time < cursor.time || (time === cursor.time && seq < cursor.seq);
}
