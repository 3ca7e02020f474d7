import fs from 'node:fs/promises';
import path from 'node:path';
import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import { MarketSimulator, MinuteCandleBuilder, SimulatedDepthBook, type MarketSimulatorState } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from './market-source.js';

const MINUTE = 60_000;

export interface SimulatedSourceOptions {
  symbol: string;
  seed: number;
  speed: number;
  historyMinutes: number;
  stateDir: string;
  requestedSource: MarketFeedStatusV1['requestedSource'];
  reasonMessage: string;
  publisher: MarketPublisher;
  logger: Logger;
  /** wall clock */
  now: () => number;
  tickMs?: number;
  /** levels per side of the simulated depth book (0 = no book, no top of book) */
  bookLevels?: number;
  /** simulated ms between published depth snapshots */
  depthPublishMs?: number;
}

interface SavedState {
  simulator: MarketSimulatorState;
  /** wall time and simulated time that map onto each other (simulated = anchorSim + (wall − anchorWall) × speed) */
  anchorWall: number;
  anchorSim: number;
}

/**
 * The built-in market simulator as a live source. First start: generates `historyMinutes` of past
 * candles at once so strategies warm up, then runs in (scaled) real time publishing trades and a
 * closed 1m candle every minute. Its state is saved after every minute, so a restart resumes the
 * same market and fills the downtime with candles instead of leaving a gap.
 */
export async function startSimulatedSource(o: SimulatedSourceOptions): Promise<MarketSource> {
  const stateFile = path.join(o.stateDir, `simulator-${o.symbol}.json`);
  await fs.mkdir(o.stateDir, { recursive: true });
  let saved: SavedState | null;
  try {
    saved = JSON.parse(await fs.readFile(stateFile, 'utf8')) as SavedState;
  } catch {
    saved = null; // first start (or an unreadable state file): a fresh market
  }
  const wallNow = o.now();
  let sim: MarketSimulator;
  let anchorWall: number;
  let anchorSim: number;
  if (saved !== null) {
    sim = MarketSimulator.restore(saved.simulator);
    // Downtime passes in market time too: re-anchor so simulated time continues from the wall clock.
    anchorWall = wallNow;
    anchorSim = Math.max(sim.currentTime, saved.anchorSim + (wallNow - saved.anchorWall) * o.speed);
    o.logger.info({ symbol: o.symbol, resumeFrom: sim.currentTime }, 'simulator resumed from saved state');
  } else {
    const start = Math.floor(wallNow / MINUTE) * MINUTE - o.historyMinutes * MINUTE;
    sim = new MarketSimulator({ seed: o.seed, startTime: start });
    anchorWall = wallNow;
    anchorSim = wallNow;
  }
  const builder = new MinuteCandleBuilder();
  // a depth book around the simulated price: spread widens with volatility, trades eat the touch
  const book = (o.bookLevels ?? 50) > 0 ? new SimulatedDepthBook({ seed: o.seed, levels: o.bookLevels ?? 50 }) : null;
  let lastDepthAt = 0;
  let lastCandleClose: number | null = null;
  let stopped = false;
  let state: MarketFeedStatusV1['state'] = 'backfilling';
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const simNow = () => anchorSim + (o.now() - anchorWall) * o.speed;

  /** while history is generated: how far it got, shown in the feed status */
  let progress: string | null = null;
  let catchUp: { from: number; to: number } | null = null;
  const status = (): MarketFeedStatusV1 => ({
    source: 'simulated',
    requestedSource: o.requestedSource,
    isSimulated: true,
    state,
    circuit: 'closed',
    symbols: [o.symbol],
    lastCandleCloseTime: lastCandleClose,
    lagMs: lastCandleClose === null ? null : Math.max(0, simNow() - lastCandleClose),
    reconnects: 0,
    message: progress === null ? o.reasonMessage : `${o.reasonMessage}; generating history: ${progress}`,
    transport: 'simulator',
    venue: 'SIMULATED',
  });

  const save = async () => {
    const body: SavedState = { simulator: sim.getState(), anchorWall, anchorSim };
    const tmp = `${stateFile}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(body));
    await fs.rename(tmp, stateFile);
  };

  let unsavedMinutes = 0;
  /** Advances the market to `target`, publishing closed candles (and trades when live). */
  const advance = async (target: number, publishTrades: boolean) => {
    while (sim.currentTime < target && !stopped) {
      const boundary = Math.floor(sim.currentTime / MINUTE) * MINUTE + MINUTE;
      const until = Math.min(target, boundary);
      const trades: Array<{ id: number; price: number; quantity: number; time: number; isBuyerMaker: boolean }> = [];
      sim.advanceTo(until, (t) => {
        builder.addTrade(t);
        if (publishTrades) trades.push(t);
      });
      for (const t of trades) {
        await o.publisher.trade('SIMULATED', o.symbol, t);
        book?.consume(t.isBuyerMaker, t.quantity);
      }
      if (publishTrades && book !== null) {
        const q = sim.quote(); // its width follows the volatility regime
        book.step(sim.lastPrice, Math.max(1, Math.round((q.askPrice - q.bidPrice) / 0.01)));
        const bid = book.bestBid();
        const ask = book.bestAsk();
        if (bid && ask) await o.publisher.bookTicker('SIMULATED', o.symbol, { updateId: book.lastUpdateId, bidPrice: bid.price, bidQty: bid.qty, askPrice: ask.price, askQty: ask.qty, time: sim.currentTime });
        if (sim.currentTime - lastDepthAt >= (o.depthPublishMs ?? 1_000)) {
          lastDepthAt = sim.currentTime;
          const snap = book.snapshot(20);
          await o.publisher.bookDepth('SIMULATED', o.symbol, { lastUpdateId: snap.lastUpdateId, bids: snap.bids, asks: snap.asks, time: sim.currentTime });
        }
      }
      if (until === boundary) {
        for (const c of builder.closeUpTo(boundary)) {
          await o.publisher.candle('SIMULATED', o.symbol, c, 'simulated');
          lastCandleClose = c.closeTime;
        }
        // live: saved every minute; catching up (history for a warm-up): every few hundred minutes and at the end
        if (publishTrades || ++unsavedMinutes >= 500) {
          unsavedMinutes = 0;
          await save();
          if (!publishTrades && catchUp !== null) {
            // progress while the history loads, in the feed status (API, dashboard)
            progress = `${Math.round((sim.currentTime - catchUp.from) / MINUTE)} of ${Math.round((catchUp.to - catchUp.from) / MINUTE)} minutes`;
            await o.publisher.feedStatus(status());
          }
        }
      }
    }
  };

  await o.publisher.feedStatus(status());
  o.logger.warn({ symbol: o.symbol, reason: o.reasonMessage }, 'MARKET DATA IS SIMULATED: prices are generated by the built-in simulator, not a real exchange');
  // Catch up (history on first start, downtime on resume) as fast as possible, without trade ticks.
  const catchUpTo = Math.floor(simNow() / MINUTE) * MINUTE;
  catchUp = { from: sim.currentTime, to: catchUpTo };
  await advance(catchUpTo, false);
  await save();
  progress = null;
  state = 'live';
  await o.publisher.feedStatus(status());

  const tickMs = o.tickMs ?? 250;
  let lastStatusAt = o.now();
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(async () => {
        if (stopped) return;
        await advance(simNow(), true);
        if (o.now() - lastStatusAt >= 5_000) {
          lastStatusAt = o.now();
          await o.publisher.feedStatus(status());
        }
      })
      .catch((err: unknown) => o.logger.error({ err }, 'simulated source tick failed'));
  }, tickMs);

  return {
    name: 'simulated',
    status,
    done,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      state = 'stopped';
      await save();
      resolveDone();
    },
  };
}
