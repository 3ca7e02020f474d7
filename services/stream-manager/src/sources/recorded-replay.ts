import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { MarketFeedStatusV1, Venue } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import { FrameStats } from '../binance/frame-stats.js';
import { routeFrame } from '../binance/frame-router.js';
import { SymbolFeed } from '../binance/symbol-feed.js';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from './market-source.js';
import { RecordedLineDecoder } from './recorded-lines.js';

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
    const track = (p: Promise<void> | undefined) => {
      if (p === undefined) return;
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    };
    const pacer = new ReplayPacer(o.speed, sleep);
    const decoder = new RecordedLineDecoder(o.format, o.symbols[0]!, feeds, frames);
    for await (const line of readLines(o.file)) {
      if (stopped) break;
      const rec = decoder.decode(line);
      if (rec === null) continue;
      if (rec.recordedMs !== null) await pacer.pace(rec.recordedMs);
      if (rec.isSnapshot) {
        decoder.installSnapshot(rec);
        continue;
      }
      processed += 1;
      const readAt = o.onFrame ? process.hrtime.bigint() : 0n;
      const routed = routeFrame(rec.text, feeds, frames);
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

/** Holds each line back until its recorded time, scaled by ×speed from the first one (speed 0: no waiting). */
class ReplayPacer {
  private firstRecordedMs: number | null = null;
  private readonly wallStart = Date.now();

  constructor(
    private readonly speed: number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async pace(recordedMs: number): Promise<void> {
    if (this.speed <= 0) return;
    if (this.firstRecordedMs === null) this.firstRecordedMs = recordedMs;
    const due = this.wallStart + (recordedMs - this.firstRecordedMs) / this.speed;
    const wait = due - Date.now();
    if (wait > 1) await this.sleep(wait);
  }
}
