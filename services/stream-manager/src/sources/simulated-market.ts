import fs from 'node:fs/promises';
import path from 'node:path';
import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import { MarketSimulator, MinuteCandleBuilder, SimulatedDepthBook, type MarketSimulatorState } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';

const MINUTE = 60_000;

export interface SimulatedMarketOptions {
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

type SimulatedTrade = { id: number; price: number; quantity: number; time: number; isBuyerMaker: boolean };

/**
 * One symbol's simulated market and what it has published: the simulator on a clock scaled from
 * the wall clock, the candles built from its trades, a depth book around its price, and the state
 * file that lets a restart resume the same market.
 */
export class SimulatedMarket {
  state: MarketFeedStatusV1['state'] = 'backfilling';
  private readonly builder = new MinuteCandleBuilder();
  // a depth book around the simulated price: spread widens with volatility, trades eat the touch
  private readonly book: SimulatedDepthBook | null;
  private lastDepthAt = 0;
  private lastCandleClose: number | null = null;
  private unsavedMinutes = 0;
  /** while history is generated: how far it got, shown in the feed status */
  private progress: string | null = null;
  private catchUp: { from: number; to: number } | null = null;
  private stopped = false;

  private constructor(
    private readonly o: SimulatedMarketOptions,
    private readonly sim: MarketSimulator,
    private readonly anchorWall: number,
    private readonly anchorSim: number,
    private readonly stateFile: string,
  ) {
    this.book = (o.bookLevels ?? 50) > 0 ? new SimulatedDepthBook({ seed: o.seed, levels: o.bookLevels ?? 50 }) : null;
  }

  /** Resumes the saved market (downtime passes in market time too), or starts a fresh one `historyMinutes` back. */
  static async open(o: SimulatedMarketOptions): Promise<SimulatedMarket> {
    const stateFile = path.join(o.stateDir, `simulator-${o.symbol}.json`);
    await fs.mkdir(o.stateDir, { recursive: true });
    let saved: SavedState | null;
    try {
      saved = JSON.parse(await fs.readFile(stateFile, 'utf8')) as SavedState;
    } catch {
      saved = null; // first start (or an unreadable state file): a fresh market
    }
    const wallNow = o.now();
    if (saved === null) {
      const start = Math.floor(wallNow / MINUTE) * MINUTE - o.historyMinutes * MINUTE;
      return new SimulatedMarket(o, new MarketSimulator({ seed: o.seed, startTime: start }), wallNow, wallNow, stateFile);
    }
    const sim = MarketSimulator.restore(saved.simulator);
    // Downtime passes in market time too: re-anchor so simulated time continues from the wall clock.
    const anchorSim = Math.max(sim.currentTime, saved.anchorSim + (wallNow - saved.anchorWall) * o.speed);
    o.logger.info({ symbol: o.symbol, resumeFrom: sim.currentTime }, 'simulator resumed from saved state');
    return new SimulatedMarket(o, sim, wallNow, anchorSim, stateFile);
  }

  simNow(): number {
    return this.anchorSim + (this.o.now() - this.anchorWall) * this.o.speed;
  }

  status(): MarketFeedStatusV1 {
    const { o, lastCandleClose, progress } = this;
    return {
      source: 'simulated',
      requestedSource: o.requestedSource,
      isSimulated: true,
      state: this.state,
      circuit: 'closed',
      symbols: [o.symbol],
      lastCandleCloseTime: lastCandleClose,
      lagMs: lastCandleClose === null ? null : Math.max(0, this.simNow() - lastCandleClose),
      reconnects: 0,
      message: progress === null ? o.reasonMessage : `${o.reasonMessage}; generating history: ${progress}`,
      transport: 'simulator',
      venue: 'SIMULATED',
    };
  }

  /** Catches up (history on first start, downtime on resume) as fast as possible, without trade ticks; then live. */
  async catchUpToNow(): Promise<void> {
    const catchUpTo = Math.floor(this.simNow() / MINUTE) * MINUTE;
    this.catchUp = { from: this.sim.currentTime, to: catchUpTo };
    await this.advance(catchUpTo, false);
    await this.save();
    this.progress = null;
    this.state = 'live';
  }

  /** Advances the market to `target`, publishing closed candles (and trades when live). */
  async advance(target: number, publishTrades: boolean): Promise<void> {
    const { sim } = this;
    while (sim.currentTime < target && !this.stopped) {
      const boundary = Math.floor(sim.currentTime / MINUTE) * MINUTE + MINUTE;
      const until = Math.min(target, boundary);
      const trades: SimulatedTrade[] = [];
      sim.advanceTo(until, (t) => {
        this.builder.addTrade(t);
        if (publishTrades) trades.push(t);
      });
      for (const t of trades) {
        await this.o.publisher.trade('SIMULATED', this.o.symbol, t);
        this.book?.consume(t.isBuyerMaker, t.quantity);
      }
      if (publishTrades && this.book !== null) await this.publishBook(this.book);
      if (until === boundary) await this.closeMinute(boundary, publishTrades);
    }
  }

  /** An advance under way ends after the minute it is in; no further one starts. */
  halt(): void {
    this.stopped = true;
  }

  /** the market's last state, saved for the next start */
  async saveStopped(): Promise<void> {
    this.state = 'stopped';
    await this.save();
  }

  /** moves the book with the price and publishes its top, and a depth snapshot every depthPublishMs */
  private async publishBook(book: SimulatedDepthBook): Promise<void> {
    const { sim, o } = this;
    const q = sim.quote(); // its width follows the volatility regime
    book.step(sim.lastPrice, Math.max(1, Math.round((q.askPrice - q.bidPrice) / 0.01)));
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid && ask) await o.publisher.bookTicker('SIMULATED', o.symbol, { updateId: book.lastUpdateId, bidPrice: bid.price, bidQty: bid.qty, askPrice: ask.price, askQty: ask.qty, time: sim.currentTime });
    if (sim.currentTime - this.lastDepthAt >= (o.depthPublishMs ?? 1_000)) {
      this.lastDepthAt = sim.currentTime;
      const snap = book.snapshot(20);
      await o.publisher.bookDepth('SIMULATED', o.symbol, { lastUpdateId: snap.lastUpdateId, bids: snap.bids, asks: snap.asks, time: sim.currentTime });
    }
  }

  private async closeMinute(boundary: number, live: boolean): Promise<void> {
    for (const c of this.builder.closeUpTo(boundary)) {
      await this.o.publisher.candle('SIMULATED', this.o.symbol, c, 'simulated');
      this.lastCandleClose = c.closeTime;
    }
    // live: saved every minute; catching up (history for a warm-up): every few hundred minutes and at the end
    if (!live && ++this.unsavedMinutes < 500) return;
    this.unsavedMinutes = 0;
    await this.save();
    if (!live && this.catchUp !== null) {
      // progress while the history loads, in the feed status (API, dashboard)
      this.progress = `${Math.round((this.sim.currentTime - this.catchUp.from) / MINUTE)} of ${Math.round((this.catchUp.to - this.catchUp.from) / MINUTE)} minutes`;
      await this.o.publisher.feedStatus(this.status());
    }
  }

  private async save(): Promise<void> {
    const body: SavedState = { simulator: this.sim.getState(), anchorWall: this.anchorWall, anchorSim: this.anchorSim };
    const tmp = `${this.stateFile}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(body));
    await fs.rename(tmp, this.stateFile);
  }
}
