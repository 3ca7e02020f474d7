import { describe, expect, it } from 'vitest';
import { KlineCsvError, parseKlineCsv } from './kline-csv.js';

describe('parseKlineCsv', () => {
  it('reads the 12-column Binance layout and the 6-column layout with a header', () => {
    const twelve = '1700000040000,37000.1,37010,36990.5,37005,12.5,1700000099999,462500,100,6,222000,0\n';
    const six = 'open_time,open,high,low,close,volume\n1700000040000,37000.1,37010,36990.5,37005,12.5\n';
    const expected = { openTime: 1700000040000, closeTime: 1700000100000, open: 37000.1, high: 37010, low: 36990.5, close: 37005, volume: 12.5 };
    expect(parseKlineCsv(twelve)).toEqual([expected]);
    expect(parseKlineCsv(six)).toEqual([expected]);
  });

  it('scales microsecond timestamps and drops duplicates', () => {
    const text = '1700000040000000,1,2,0.5,1.5,3\n1700000040000000,1,2,0.5,1.5,3\n';
    expect(parseKlineCsv(text).map((c) => c.openTime)).toEqual([1700000040000]);
  });

  it('names the line and the problem for bad input', () => {
    expect(() => parseKlineCsv('1700000040000,1,2,0.5,1.5,3\n1700000100000,1,0.1,0.5,1.5,3\n')).toThrow(/line 2: high\/low/);
    expect(() => parseKlineCsv('abc,1,2,3,4,5\n1,2')).toThrow(KlineCsvError);
    expect(() => parseKlineCsv('1700000100000,1,2,0.5,1.5,3\n1700000040000,1,2,0.5,1.5,3\n')).toThrow(/goes back in time/);
  });
});
