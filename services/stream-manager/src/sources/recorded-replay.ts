import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseDepthSnapshot } from '@btc-research/binance';
import type { MarketFeedStatusV1, Venue } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import { FrameStats } from '../binance/frame-stats.js';
import { routeFrame } from '../binance/frame-router.js';
import { SymbolFeed } from '../binance/symbol-feed.js';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from './market-source.js';

/** Lines of a text file, gunzipped when the name ends in .gz. */
export function readLines(file: string): AsyncIterable<string> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  return readline.createInterface({ input, crlfDelay: Infinity });
}

export interface RecordedReplayOptions {
  file: string;
  format: 'ws-session' | 'trades';
  symbols: string[];
  /** ×N market time per wall time; 0 = as fast as possible */
  speed: number;
  publisher: MarketPublisher;
  logger: Logger;
  venue?: Venue;
  sleep?: (ms: number) => Promise<void>;
  /** publishes in flight before the reader waits for the bus (back-pressure) */
  maxInFlight?: number;
  depthPublishMs?: number;
  /** called for every frame with the time it was read and the publish it caused (bench instrumentation) */
  onFrame?: (readAt: bigint, published: Promise<void> | undefined) => void;
}

export interface RecordedReplaySource extends MarketSource {
  readonly feeds: ReadonlyMap<string, SymbolFeed>;
  readonly frames: FrameStats;
  /** frames (ws-session) or rows (trades) read so far */
  readonly processed: number;
}

const TRADE_HEADER = /^id,price,qty/i;

/** `id,price,qty[,quote_qty],time,is_buyer_maker[,…]` (data.binance.vision trades layout, header optional) → a trade frame payload. */
export function tradeCsvRowToFrame(line: string, symbol: string, hasQuoteQty: boolean): string | null {
  const c = line.split(',');
  if (c.length < 5) return null;
  const [id, price, qty] = c;
  const time = hasQuoteQty ? c[4] : c[3];
  const maker = hasQuoteQty ? c[5] : c[4];
  let t = Number(time);
  if (t > 1e14) t = Math.floor(t / 1000);
  const m = String(maker).trim().toLowerCase() === 'true';
  return `{"e":"trade","E":${t},"s":"${symbol}","t":${Number(id)},"p":${JSON.stringify(price)},"q":${JSON.stringify(qty)},"T":${t},"m":${m},"M":true}`;
}

/**
 * Replays a recorded Binance WebSocket session (JSONL lines `{recv_us, kind, raw}` as in
 * ../shared/data/ws-fixtures, .gz allowed; `rest_depth_snapshot` lines seed the book) or a Binance
 * trade CSV, through the same frame router, symbol feeds and publisher as the live client, paced
 * by the recorded times at ×N or as fast as possible.
 */
export async function startRecordedReplaySource(o: RecordedReplayOptions): Promise<RecordedReplaySource> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const frames = new FrameStats(o.logger);
  const feeds = new Map<string, SymbolFeed>();
  for (const symbol of o.symbols) {
    feeds.set(symbol, new SymbolFeed({ symbol, venue: o.venue ?? 'BINANCE', publisher: o.publisher, logger: o.logger, rest: null, ...(o.depthPublishMs === undefined ? {} : { depthPublishMs: o.depthPublishMs }) }));
  }
  let stopped = false;
  let processed = 0;
  let state: MarketFeedStatusV1['state'] = 'live';
  const maxInFlight = o.maxInFlight ?? 2048;
  const status = (): MarketFeedStatusV1 => {
    let last: number | null = null;
    for (const s of o.symbols) {
      const t = o.publisher.lastCandleOpenTime(s);
      if (t !== undefined) last = last === null ? t + 60_000 : Math.min(last, t + 60_000);
    }
    return {
      source: 'replay', requestedSource: 'replay', isSimulated: false, state, circuit: 'closed', symbols: o.symbols,
      lastCandleCloseTime: last, lagMs: null, reconnects: 0, transport: 'file',
      message: `replaying ${o.format} ${o.file} at ${o.speed === 0 ? 'maximum speed' : `×${o.speed}`} (${processed} ${o.format === 'trades' ? 'rows' : 'frames'})`,
      droppedFrames: { ...frames.dropped },
      booksSynced: Object.fromEntries([...feeds.values()].map((f) => [f.symbol, f.bookSynced])),
    };
  };
  await o.publisher.feedStatus(status());

  const run = async () => {
    const inFlight = new Set<Promise<void>>();
    let firstRecordedMs: number | null = null;
    const wallStart = Date.now();
    const pace = async (recordedMs: number) => {
      if (o.speed <= 0) return;
      if (firstRecordedMs === null) firstRecordedMs = recordedMs;
      const due = wallStart + (recordedMs - firstRecordedMs) / o.speed;
      const wait = due - Date.now();
      if (wait > 1) await sleep(wait);
    };
    const track = (p: Promise<void> | undefined) => {
      if (p === undefined) return;
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    };
    const symbol0 = o.symbols[0]!;
    let hasQuoteQty = false;
    let lineNo = 0;
    for await (const line of readLines(o.file)) {
      if (stopped) break;
      lineNo += 1;
      if (line.trim() === '') continue;
      let text: string;
      if (o.format === 'trades') {
        if (lineNo === 1 && TRADE_HEADER.test(line)) {
          hasQuoteQty = /quote_qty/i.test(line);
          continue;
        }
        if (lineNo === 1) hasQuoteQty = line.split(',').length >= 7;
        const f = tradeCsvRowToFrame(line, symbol0, hasQuoteQty);
        if (f === null) {
          frames.reject('bad-trade-row', `line ${lineNo}: expected id,price,qty[,quote_qty],time,is_buyer_maker`, line);
          continue;
        }
        text = f;
        await pace(Number(line.split(',')[hasQuoteQty ? 4 : 3]));
      } else {
        let rec: { recv_us?: unknown; kind?: unknown; raw?: unknown; symbol?: unknown };
        try {
          rec = JSON.parse(line) as typeof rec;
        } catch {
          frames.reject('bad-session-line', `line ${lineNo} is not JSON`, line);
          continue;
        }
        if (typeof rec.raw !== 'string') continue; // connect markers and the like
        if (typeof rec.recv_us === 'number') await pace(rec.recv_us / 1000);
        if (rec.kind === 'rest_depth_snapshot') {
          const feed = typeof rec.symbol === 'string' ? feeds.get(rec.symbol) : feeds.size === 1 ? [...feeds.values()][0] : undefined;
          try {
            if (feed) feed.installSnapshot(parseDepthSnapshot(JSON.parse(rec.raw)));
          } catch (err) {
            frames.reject('bad-snapshot', (err as Error).message, rec.raw);
          }
          continue;
        }
        text = rec.raw;
      }
      processed += 1;
      const readAt = o.onFrame ? process.hrtime.bigint() : 0n;
      const routed = routeFrame(text, feeds, frames);
      track(routed.published);
      o.onFrame?.(readAt, routed.published);
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    await Promise.allSettled([...inFlight]);
    for (const f of feeds.values()) await f.idle();
    state = 'stopped';
    await o.publisher.feedStatus(status());
    o.logger.info({ file: o.file, processed, dropped: frames.dropped }, 'recorded replay finished');
  };
  const done = run();
  return {
    name: 'replay',
    status,
    done,
    feeds,
    frames,
    get processed() {
      return processed;
    },
    async stop() {
      stopped = true;
      await done.catch(() => undefined);
    },
  };
}
