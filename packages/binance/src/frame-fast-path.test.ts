import { describe, expect, it } from 'vitest';
import { scanKnownFrame } from './frame-fast-path.js';
import { parseBinanceFrame, parseBinancePayload } from './frames.js';

const bookTicker = '{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000","B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}';
const trade = '{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}';

/** the generic path: JSON.parse, then the payload checks */
function inFull(text: string): unknown {
  try {
    const outer = JSON.parse(text) as { stream: string; data: Record<string, unknown> };
    const r = parseBinancePayload(outer.data);
    return r.ok ? { ok: true, stream: outer.stream, event: r.event } : r;
  } catch {
    return 'not-json';
  }
}

/** every way a frame can differ from Binance's layout by one edit */
function mutations(text: string): string[] {
  const out: string[] = [];
  const edits = ['', ' ', '0', '9', '-', '.', 'e', '"', '\\', '\u0001', '}', 'x', 'é'];
  for (let i = 0; i <= text.length; i++) {
    for (const e of edits) {
      out.push(text.slice(0, i) + e + text.slice(i + 1)); // replace (or delete) character i
      out.push(text.slice(0, i) + e + text.slice(i)); // insert before character i
    }
  }
  return out;
}

describe('scanKnownFrame', () => {
  it('reads bookTicker and trade frames as the full parse does', () => {
    for (const text of [bookTicker, trade]) {
      expect(scanKnownFrame(text)).toEqual(inFull(text));
      expect(parseBinanceFrame(text)).toEqual(inFull(text));
    }
    expect(scanKnownFrame(trade.replace('"m":true', '"m":false'))).toMatchObject({ event: { isBuyerMaker: false } });
  });

  it('leaves every frame it does not recognise exactly to the full parse, which then decides', () => {
    let scanned = 0;
    let total = 0;
    for (const text of [...mutations(bookTicker), ...mutations(trade)]) {
      total += 1;
      const fast = scanKnownFrame(text);
      if (fast === undefined) continue;
      scanned += 1;
      expect(fast, text).toEqual(inFull(text));
    }
    // digits changed inside numbers and prices are still read fast; the rest falls through
    expect(scanned).toBeGreaterThan(100);
    expect(scanned).toBeLessThan(total / 2);
    for (const other of ['{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true,"M":true,"X":1}}', '{"stream":"x","data":{"u":01,"s":"BTCUSDT","b":"1","B":"1","a":"1","A":"1"}}', '{"stream":"x","data":{"u":1e3,"s":"BTCUSDT","b":"1","B":"1","a":"1","A":"1"}}', '{"stream":"x","data":{"u":1234567890123456,"s":"BTCUSDT","b":"1","B":"1","a":"1","A":"1"}}', `${bookTicker} `]) {
      expect(scanKnownFrame(other), other).toBeUndefined();
    }
  });
});
