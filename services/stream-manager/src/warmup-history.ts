import type { BinanceRestClient } from '@btc-research/binance';
import { MessageType, StreamRetention, Streams, WARMUP_HISTORY_MAX_CANDLES, WARMUP_HISTORY_WAIT_MS, makeEnvelope, type CandleValues, type Venue } from '@btc-research/contracts';
import type { Logger, MessageBus } from '@btc-research/platform';
import { simulatedHistory } from './sources/simulated-history.js';
import type { StrategyMarket } from './strategy-demand.js';

const MINUTE = 60_000;

export interface WarmupHistoriesOptions {
  bus: MessageBus;
  logger: Logger;
  now: () => number;
  /** the Binance venue's REST client (klines) */
  rest: BinanceRestClient;
  /** the simulator seed of a symbol */
  seedOf: (symbol: string) => number;
}

/**
 * A strategy started on a symbol already served gets the older candles its warm-up needs as a
 * `strategy.warmup.history` of its own (the symbol's shared market log is never rewritten): the
 * last `warmupMinutes + 1` closed minutes, from Binance's REST klines or the simulator. Only for a
 * start seen within WARMUP_HISTORY_WAIT_MS (the paper-trader drops a later one anyway).
 */
export class WarmupHistories {
  constructor(private readonly o: WarmupHistoriesOptions) {}

  async provide(m: StrategyMarket, source: 'binance' | 'simulated', venue: Venue): Promise<void> {
    const { now, logger } = this.o;
    if (m.warmupMinutes <= 0 || now() - m.startedAt > WARMUP_HISTORY_WAIT_MS) return;
    const minutes = Math.min(m.warmupMinutes + 1, WARMUP_HISTORY_MAX_CANDLES);
    const started = now();
    const candles = source === 'binance' ? await this.binanceHistory(m.symbol, minutes) : await simulatedHistory({ bus: this.o.bus, symbol: m.symbol, seed: this.o.seedOf(m.symbol), now: now(), minutes });
    const t = now();
    const env = makeEnvelope({ type: MessageType.strategyWarmupHistory, id: `warmup-${m.strategyId}-${m.startedAt}`, source: 'stream-manager', tsEvent: t, tsInit: t, payload: { strategyId: m.strategyId, symbol: m.symbol, venue, startedAt: m.startedAt, candles } });
    await this.o.bus.publish(Streams.commands(), env, StreamRetention.commands);
    logger.info({ strategyId: m.strategyId, symbol: m.symbol, source, warmupMinutes: m.warmupMinutes, candles: candles.length, from: candles[0]?.openTime ?? null, ms: t - started }, 'warm-up history published for a strategy on a symbol already served');
  }

  /** The last `minutes` closed 1m klines (by the venue's clock), page by page; after a halt only the contiguous part up to now is kept. */
  private async binanceHistory(symbol: string, minutes: number): Promise<CandleValues[]> {
    const to = Math.floor((await this.o.rest.serverTime()) / MINUTE) * MINUTE;
    const from = to - minutes * MINUTE;
    const out: CandleValues[] = [];
    for (let cursor = from; cursor < to; ) {
      const rows = (await this.o.rest.klines(symbol, cursor, to - 1, 1000)).filter((r) => r.openTime >= cursor && r.openTime < to).sort((a, b) => a.openTime - b.openTime);
      for (const r of rows) {
        if (out.length > 0 && r.openTime !== out[out.length - 1]!.closeTime) out.length = 0; // a halt: older candles would not join
        out.push({ openTime: r.openTime, closeTime: r.openTime + MINUTE, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume });
      }
      if (rows.length === 0) break;
      cursor = rows[rows.length - 1]!.openTime + MINUTE;
    }
    return out;
  }
}
