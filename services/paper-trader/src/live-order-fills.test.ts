import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageType, StreamRetention, Streams, makeEnvelope, type Envelope } from '@btc-research/contracts';
import { Decimal, TradingCore, buildTradingSetup, simulatedMinuteCandles, toDecimalString, type CoreInput } from '@btc-research/engine';
import { InProcessBus, JsonStrategyStore, createLogger, waitFor } from '@btc-research/platform';
import { startPaperTrader, type PaperTrader } from './service.js';
import { testConfig } from './testing/test-config.js';
import { closeTraderWorld, openTraderWorld } from './testing/trader-world.js';

const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', 'config');

// Issue 16: live, 14 of 23 fills were priced by the model although books were published. The order
// the paper trader sees live: the next minute's first book, then the minute's candle (the stream-
// manager publishes it when the closed kline arrives), then trades. Every fill must come from the book.
describe('fills in the live order of inputs (book of the next minute before the candle)', () => {
  let dir: string;
  let bus: InProcessBus;
  let store: JsonStrategyStore;
  let trader: PaperTrader | null = null;

  beforeEach(async () => {
    ({ dir, bus, store } = await openTraderWorld('pt-live-order-'));
  });

  afterEach(async () => {
    await closeTraderWorld({ dir, bus, store }, trader);
    trader = null;
  });

  it('prices every fill from the book and says so, as the core fed the same inputs does', async () => {
    const ema = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await fs.writeFile(path.join(dir, 'config', 'live.yaml'), ema);
    trader = await startPaperTrader({ config: testConfig(dir), bus, store, logger: createLogger('pt', { level: 'silent' }) });
    await waitFor(async () => trader!.runners().has('live'), { what: 'strategy active' });
    const candles = simulatedMinuteCandles(300, 23);
    const inputs: CoreInput[] = [];
    const px = (x: number) => (Math.round(x * 100) / 100).toFixed(2);
    let seq = 0;
    const publishAndLog = async (stream: string, env: Envelope, retention: number, input: CoreInput) => {
      await bus.publish(stream, env, retention);
      seq += 1;
      const want = seq;
      // one at a time into the market log, so its order is the publication order
      await waitFor(async () => (await store.listMarketEvents('BTCUSDT', want - 1, 1)).length === 1, { what: `market log entry ${want}` });
      inputs.push(input);
    };
    for (const c of candles) {
      const bookTime = c.closeTime + 400;
      const bid = px(c.close - 0.5);
      const ask = px(c.close + 0.5);
      await publishAndLog(
        Streams.bookTicker('BTCUSDT'),
        makeEnvelope({ type: MessageType.bookTicker, id: `b-${bookTime}`, source: 'test', tsEvent: bookTime, tsInit: bookTime, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', bidPrice: bid, bidQty: '5', askPrice: ask, askQty: '5', time: bookTime } }),
        StreamRetention.bookTicker,
        { kind: 'book', book: { time: bookTime, bids: [{ price: new Decimal(bid), quantity: new Decimal(5) }], asks: [{ price: new Decimal(ask), quantity: new Decimal(5) }] } },
      );
      await publishAndLog(
        Streams.candles('BTCUSDT'),
        makeEnvelope({
          type: MessageType.candleClosed,
          id: `c-${c.openTime}`,
          source: 'test',
          tsEvent: c.closeTime,
          tsInit: c.closeTime,
          payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', timeframe: '1m', openTime: c.openTime, closeTime: c.closeTime, open: String(c.open), high: String(c.high), low: String(c.low), close: String(c.close), volume: String(c.volume), synthetic: false, origin: 'live' },
        }),
        StreamRetention.candles,
        { kind: 'candle', candle: c },
      );
      const tradeTime = c.closeTime + 600;
      await publishAndLog(
        Streams.trades('BTCUSDT'),
        makeEnvelope({ type: MessageType.trade, id: `t-${tradeTime}`, source: 'test', tsEvent: tradeTime, tsInit: tradeTime, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: String(tradeTime), price: bid, quantity: '0.01', time: tradeTime, isBuyerMaker: true } }),
        StreamRetention.trades,
        { kind: 'trade', trade: { time: tradeTime, price: new Decimal(bid), quantity: new Decimal('0.01') } },
      );
    }
    const last = candles[candles.length - 1]!;
    await waitFor(async () => (await store.loadState('live'))?.lastCandleCloseTime === last.closeTime, { what: 'all candles' });

    const setup = buildTradingSetup(ema, 'live.yaml', { strategyId: 'live', tradingStartTime: 0 });
    if (!setup.ok) throw new Error('config');
    const core = new TradingCore(setup.strategy, setup.coreOptions);
    const expected = inputs.flatMap((x) => core.onInput(x)).flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
    const trades = (await store.listTrades('live', { limit: 1000 })).items.reverse();
    expect(trades.length).toBeGreaterThanOrEqual(3);
    expect(trades.map((t) => [t.tradeId, t.price, t.time, t.provenance])).toEqual(expected.map((t) => [t.tradeId, toDecimalString(t.price), t.time, t.provenance]));
    // every fill at the book's bid or ask, none modelled from the trade's price
    expect(trades.every((t) => t.provenance?.source === 'book' && t.provenance.model === 'book-walk')).toBe(true);
    for (const t of trades) {
      const c = candles.find((x) => x.closeTime <= t.time && t.time < x.closeTime + 60_000)!;
      expect(t.price).toBe(t.side === 'buy' ? px(c.close + 0.5) : px(c.close - 0.5));
      expect(t.quality?.levelsConsumed).toBeGreaterThan(0);
    }
  }, 120_000);
});
