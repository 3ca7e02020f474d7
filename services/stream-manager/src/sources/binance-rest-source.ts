import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from './market-source.js';

const MINUTE = 60_000;

export interface BinanceRestSourceOptions {
  symbol: string;
  restUrl: string;
  historyMinutes: number;
  pollMs?: number;
  publisher: MarketPublisher;
  logger: Logger;
  now: () => number;
  requestedSource: MarketFeedStatusV1['requestedSource'];
}

/** Parses Binance's /api/v3/klines response; throws with the index and field on a malformed row. */
export function parseRestKlines(body: unknown): Array<{ openTime: number; closeTime: number; open: number; high: number; low: number; close: number; volume: number }> {
  if (!Array.isArray(body)) throw new Error('klines response is not an array');
  return body.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < 7) throw new Error(`klines[${i}] is not a kline array`);
    const [openTime, o, h, l, c, v] = row as [unknown, unknown, unknown, unknown, unknown, unknown];
    const nums = [o, h, l, c, v].map((x) => Number(x));
    if (typeof openTime !== 'number' || nums.some((x) => !Number.isFinite(x))) throw new Error(`klines[${i}] has a non-numeric field`);
    return { openTime, closeTime: openTime + MINUTE, open: nums[0]!, high: nums[1]!, low: nums[2]!, close: nums[3]!, volume: nums[4]! };
  });
}

/**
 * Live closed 1m candles from Binance's REST API, polled every few seconds (also the fallback when
 * the WebSocket is down). Backfills `historyMinutes` on start; never publishes an open candle.
 */
export async function startBinanceRestSource(o: BinanceRestSourceOptions): Promise<MarketSource> {
  let stopped = false;
  let lastClose: number | null = null;
  let state: MarketFeedStatusV1['state'] = 'backfilling';
  let failures = 0;
  const status = (): MarketFeedStatusV1 => ({
    source: 'binance',
    requestedSource: o.requestedSource,
    isSimulated: false,
    state,
    circuit: failures >= 5 ? 'open' : 'closed',
    symbols: [o.symbol],
    lastCandleCloseTime: lastClose,
    lagMs: lastClose === null ? null : o.now() - lastClose,
    reconnects: 0,
    message: 'Binance REST polling',
  });
  const fetchKlines = async (startTime: number, limit: number) => {
    const url = `${o.restUrl}/api/v3/klines?symbol=${o.symbol}&interval=1m&startTime=${startTime}&limit=${limit}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`GET ${url} → HTTP ${res.status}`);
    return parseRestKlines(await res.json());
  };
  const poll = async () => {
    const now = o.now();
    let from = lastClose ?? Math.floor(now / MINUTE) * MINUTE - o.historyMinutes * MINUTE;
    while (!stopped) {
      const rows = (await fetchKlines(from, 1000)).filter((k) => k.closeTime <= now && (lastClose === null || k.openTime >= lastClose));
      for (const k of rows) {
        await o.publisher.candle('BINANCE', o.symbol, k, state === 'backfilling' ? 'backfill' : 'live');
        lastClose = k.closeTime;
      }
      if (rows.length < 1000) break;
      from = lastClose ?? from;
    }
  };
  await poll();
  state = 'live';
  await o.publisher.feedStatus(status());
  const timer = setInterval(() => {
    poll()
      .then(() => {
        failures = 0;
        state = 'live';
      })
      .catch((err: unknown) => {
        failures += 1;
        state = 'degraded';
        o.logger.warn({ err: (err as Error).message, failures }, 'binance poll failed');
      })
      .finally(() => void o.publisher.feedStatus(status()).catch(() => undefined));
  }, o.pollMs ?? 5_000);
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  return {
    name: 'binance',
    status,
    done,
    async stop() {
      stopped = true;
      clearInterval(timer);
      resolveDone();
    },
  };
}

/** true when Binance's REST API answers /api/v3/ping within the timeout. */
export async function probeBinance(restUrl: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const res = await fetch(`${restUrl}/api/v3/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? { ok: true } : { ok: false, reason: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { ok: false, reason: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}
