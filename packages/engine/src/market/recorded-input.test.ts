import { describe, expect, it } from 'vitest';
import type { CoreInput } from '../kernel/trading-core.js';
import { decodeRecordedInput, encodeRecordedInput, RecordedInputError } from './recorded-input.js';
import { simulatedMarketInputs } from './testing/simulated-market-inputs.js';

/** Decimals as their exact text, so inputs compare by value. */
const plain = (inputs: readonly CoreInput[]) => JSON.parse(JSON.stringify(inputs)) as unknown;

describe('recorded market inputs (the paper trader market log form)', () => {
  it('decodes the records the paper trader writes: candle with its origin, trade, book ticker, depth top', () => {
    const candle = decodeRecordedInput({
      kind: 'candle',
      time: 1_736_121_660_000,
      data: { openTime: 1_736_121_600_000, closeTime: 1_736_121_660_000, open: '101982.15', high: '102010', low: '101950.5', close: '101990.01', volume: '3.14159', origin: 'live' },
    });
    expect(candle).toEqual({ kind: 'candle', candle: { openTime: 1_736_121_600_000, closeTime: 1_736_121_660_000, open: 101982.15, high: 102010, low: 101950.5, close: 101990.01, volume: 3.14159 } });

    const trade = decodeRecordedInput({ kind: 'trade', time: 1_736_121_600_123, data: { price: '101982.150000000000000001', quantity: '0.00012' } });
    expect(trade.kind === 'trade' && [trade.trade.time, trade.trade.price.toFixed(), trade.trade.quantity.toFixed()]).toEqual([1_736_121_600_123, '101982.150000000000000001', '0.00012']);

    const ticker = decodeRecordedInput({ kind: 'book', time: 7, data: { bids: [['100.1', '2']], asks: [['100.2', '0.5']] } });
    const depth = decodeRecordedInput({ kind: 'book', time: 8, data: { bids: [['100.1', '2'], ['100', '7.25']], asks: [['100.2', '0.5'], ['100.3', '1']] } });
    const levels = (x: CoreInput) => (x.kind === 'book' ? [x.book.time, x.book.bids.map((l) => [l.price.toFixed(), l.quantity.toFixed()]), x.book.asks.map((l) => [l.price.toFixed(), l.quantity.toFixed()])] : null);
    expect(levels(ticker)).toEqual([7, [['100.1', '2']], [['100.2', '0.5']]]);
    expect(levels(depth)).toEqual([8, [['100.1', '2'], ['100', '7.25']], [['100.2', '0.5'], ['100.3', '1']]]);
  });

  it('a seeded session recorded as JSON decodes back to exactly the inputs it was made of', () => {
    const inputs = simulatedMarketInputs(120, 23);
    expect(new Set(inputs.map((x) => x.kind))).toEqual(new Set(['candle', 'trade', 'book']));
    const records = JSON.parse(JSON.stringify(inputs.map(encodeRecordedInput))) as Array<{ kind: string; time: number; data: unknown }>;
    for (const r of records) if (r.kind === 'trade') expect(typeof (r.data as { price: unknown }).price).toBe('string');
    const decoded = records.map(decodeRecordedInput);
    expect(plain(decoded)).toEqual(plain(inputs));
    // candle prices come back as the very same float64s
    const candles = (xs: readonly CoreInput[]) => xs.flatMap((x) => (x.kind === 'candle' ? [x.candle] : []));
    expect(candles(decoded)).toEqual(candles(inputs));
  });

  it.each([
    [{ kind: 'quote', time: 1, data: {} }, 'kind', 'record at 1: unknown kind "quote" (expected candle, trade or book)'],
    [{ kind: 'trade', time: 1.5, data: { price: '1', quantity: '1' } }, 'time', 'trade record at 1.5: time must be epoch milliseconds'],
    [{ kind: 'trade', time: 1, data: { price: 'abc', quantity: '1' } }, 'data.price', 'trade record at 1: data.price: expected a non-negative decimal string such as "123.45"'],
    [{ kind: 'trade', time: 1, data: { price: '1e5', quantity: '1' } }, 'data.price', 'trade record at 1: data.price: expected a non-negative decimal string such as "123.45"'],
    [{ kind: 'trade', time: 1, data: { price: '-3', quantity: '1' } }, 'data.price', 'trade record at 1: data.price: expected a non-negative decimal string such as "123.45"'],
    [{ kind: 'trade', time: 1, data: { price: 5, quantity: '1' } }, 'data.price', null],
    [{ kind: 'trade', time: 1, data: null }, 'data', null],
    [{ kind: 'book', time: 2, data: { bids: [['1', '2']], asks: [['3']] } }, 'data.asks[0]', null],
    [{ kind: 'book', time: 2, data: { bids: [['1', 'NaN']], asks: [] } }, 'data.bids[0][1]', null],
    [{ kind: 'candle', time: 60_000, data: { openTime: 0, closeTime: 60_000, open: '1', high: '1', low: '1', close: '1' } }, 'data.volume', null],
  ])('refuses a bad record with the field that is wrong: %j', (record, path, message) => {
    let error: unknown;
    try {
      decodeRecordedInput(record);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RecordedInputError);
    const e = error as RecordedInputError;
    expect([e.code, e.path]).toEqual(['RECORDED_INPUT_INVALID', path]);
    expect(e.message).toContain(path === 'kind' ? 'kind' : `${record.kind} record at ${record.time}`);
    if (message !== null) expect(e.message).toBe(message);
  });
});
