import { z } from 'zod';
import { Decimal, dec, toDecimalString } from '../core/decimal.js';
import type { BookLevel } from '../execution/live-book.js';
import type { CoreInput } from '../kernel/trading-core.js';

/** A price or quantity as text: not negative, no exponent, no NaN or Infinity (what the market-data messages carry). */
const DecimalText = z.string().regex(/^(0|[1-9]\d*)(\.\d+)?$/, 'expected a non-negative decimal string such as "123.45"');
const EpochMs = z.number().int().nonnegative();
const Level = z.tuple([DecimalText, DecimalText]);

const RecordedCandleSchema = z.object({ openTime: EpochMs, closeTime: EpochMs, open: DecimalText, high: DecimalText, low: DecimalText, close: DecimalText, volume: DecimalText });
const RecordedTradeSchema = z.object({ price: DecimalText, quantity: DecimalText });
const RecordedBookSchema = z.object({ bids: z.array(Level), asks: z.array(Level) });

/** A closed 1m candle as recorded (extra fields such as the candle's origin are kept in the record and ignored here). */
export type RecordedCandle = z.infer<typeof RecordedCandleSchema>;
/** A public trade as recorded; its time is the record's. */
export type RecordedTrade = z.infer<typeof RecordedTradeSchema>;
/** A book ticker (one level a side) or the top of a depth book, best first, as [price, quantity]; its time is the record's. */
export type RecordedBook = z.infer<typeof RecordedBookSchema>;

/**
 * One market input in its recorded form: plain JSON, decimals as strings, times in epoch ms. This is
 * what the paper trader's market log holds (`kind`, `time`, `data`), so a recorded session replays
 * through the backtest path with exactly the inputs paper trading had. Venue-neutral.
 */
export type RecordedInput = { kind: 'candle'; time: number; data: RecordedCandle } | { kind: 'trade'; time: number; data: RecordedTrade } | { kind: 'book'; time: number; data: RecordedBook };

/** A record whose kind or data is not a market input. `path` names the field (e.g. "data.bids[0][1]"). */
export class RecordedInputError extends Error {
  override readonly name = 'RecordedInputError';
  readonly code = 'RECORDED_INPUT_INVALID';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

const SCHEMAS = { candle: RecordedCandleSchema, trade: RecordedTradeSchema, book: RecordedBookSchema } as const;

/**
 * The one decoder of recorded market inputs (paper trading, replays, parity checks): checks the
 * record and turns it into the engine's input. Trade and book decimals stay exact; candle prices
 * become float64 as in every backtest. Throws a RecordedInputError naming the field otherwise.
 */
export function decodeRecordedInput(record: { readonly kind: string; readonly time: number; readonly data: unknown }): CoreInput {
  const { kind, time } = record;
  const what = `${kind} record at ${String(time)}`;
  if (kind !== 'candle' && kind !== 'trade' && kind !== 'book') throw new RecordedInputError(`record at ${String(time)}: unknown kind "${kind}" (expected candle, trade or book)`, 'kind');
  const t = EpochMs.safeParse(time);
  if (!t.success) throw new RecordedInputError(`${what}: time must be epoch milliseconds`, 'time');
  const parsed = SCHEMAS[kind].safeParse(record.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = `data${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
    throw new RecordedInputError(`${what}: ${path}: ${issue.message}`, path);
  }
  switch (kind) {
    case 'candle': {
      const d = parsed.data as RecordedCandle;
      return { kind, candle: { openTime: d.openTime, closeTime: d.closeTime, open: Number(d.open), high: Number(d.high), low: Number(d.low), close: Number(d.close), volume: Number(d.volume) } };
    }
    case 'trade': {
      const d = parsed.data as RecordedTrade;
      return { kind, trade: { time, price: new Decimal(d.price), quantity: new Decimal(d.quantity) } };
    }
    case 'book': {
      const d = parsed.data as RecordedBook;
      return { kind, book: { time, bids: d.bids.map(toLevel), asks: d.asks.map(toLevel) } };
    }
  }
}

/** An engine input in its recorded form (the inverse of decodeRecordedInput), for tools and tests that record a session. */
export function encodeRecordedInput(input: CoreInput): RecordedInput {
  switch (input.kind) {
    case 'candle': {
      const c = input.candle;
      const text = (x: number) => toDecimalString(dec(x));
      return { kind: 'candle', time: c.closeTime, data: { openTime: c.openTime, closeTime: c.closeTime, open: text(c.open), high: text(c.high), low: text(c.low), close: text(c.close), volume: text(c.volume) } };
    }
    case 'trade':
      return { kind: 'trade', time: input.trade.time, data: { price: toDecimalString(input.trade.price), quantity: toDecimalString(input.trade.quantity) } };
    case 'book':
      return { kind: 'book', time: input.book.time, data: { bids: input.book.bids.map(fromLevel), asks: input.book.asks.map(fromLevel) } };
  }
}

function toLevel([price, quantity]: readonly [string, string]): BookLevel {
  return { price: new Decimal(price), quantity: new Decimal(quantity) };
}

function fromLevel(level: BookLevel): [string, string] {
  return [toDecimalString(level.price), toDecimalString(level.quantity)];
}
