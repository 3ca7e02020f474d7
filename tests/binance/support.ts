import { randomBytes } from 'node:crypto';
import { MessageType, Streams, isMessage, type MarketCandleClosedV1, type MarketCandleCorrectedV1 } from '@btc-research/contracts';
import { RedisBus, createLogger, type BusEntry, type Logger } from '@btc-research/platform';
import { Redis } from 'ioredis';

/** Redis database reserved for the stream-manager suites (api-server files use 4–15, the pipeline 6). */
export const REDIS_URL = (() => {
  const base = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  base.pathname = '/3';
  return base.toString();
})();

export function uniqueSymbol(prefix = 'T'): string {
  return `${prefix}${randomBytes(4).toString('hex').toUpperCase()}USDT`;
}

export function testBus(): RedisBus {
  return new RedisBus({ redisUrl: REDIS_URL, logger: createLogger('test-bus', { level: 'silent' }), blockMs: 100 });
}

/** A logger stand-in that records warn/error calls (to check "logged once per kind"). */
export function recordingLogger(): { logger: Logger; lines: Array<{ level: string; obj: unknown; msg: string }> } {
  const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
  const rec = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg: msg ?? '' });
  const logger = { warn: rec('warn'), error: rec('error'), info: rec('info'), debug: rec('debug'), trace: rec('trace'), fatal: rec('fatal') };
  return { logger: logger as unknown as Logger, lines };
}

export const quietLogger = (): Logger => createLogger('test', { level: process.env['TEST_LOG'] ? 'info' : 'silent' });

export async function allEntries(bus: RedisBus, stream: string): Promise<BusEntry[]> {
  const out: BusEntry[] = [];
  let after = '0';
  for (;;) {
    const page = await bus.read(stream, after, 1000);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.id;
  }
}

export async function candlesOf(bus: RedisBus, symbol: string): Promise<MarketCandleClosedV1[]> {
  return (await allEntries(bus, Streams.candles(symbol))).map((e) => e.envelope.payload as MarketCandleClosedV1);
}

/** The candles a strategy gets, in stream order: the confirmed closed candles and the corrections of provisional ones. */
export function confirmedInOrder(entries: readonly BusEntry[]): Array<MarketCandleClosedV1 | MarketCandleCorrectedV1> {
  const out: Array<MarketCandleClosedV1 | MarketCandleCorrectedV1> = [];
  for (const { envelope: e } of entries) {
    if (isMessage(e, MessageType.candleClosed) && !e.payload.provisional) out.push(e.payload);
    else if (isMessage(e, MessageType.candleCorrected)) out.push(e.payload);
  }
  return out;
}

/** every minute once, consecutive: returns a description of the first problem or null */
export function sequenceProblem(candles: ReadonlyArray<{ openTime: number }>): string | null {
  for (let i = 1; i < candles.length; i++) {
    const d = candles[i]!.openTime - candles[i - 1]!.openTime;
    if (d === 0) return `duplicate minute ${new Date(candles[i]!.openTime).toISOString()}`;
    if (d !== 60_000) return `gap/step of ${d} ms before ${new Date(candles[i]!.openTime).toISOString()}`;
  }
  return null;
}

export async function deleteSymbolKeys(symbols: readonly string[]): Promise<void> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    const keys = symbols.flatMap((s) => [Streams.candles(s), Streams.trades(s), Streams.bookTicker(s), Streams.bookDepth(s)]);
    if (keys.length > 0) await r.del(...keys);
  } finally {
    r.disconnect();
  }
}

/** canonical decimal text as the publisher writes it */
export const canon = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s) || '0';
