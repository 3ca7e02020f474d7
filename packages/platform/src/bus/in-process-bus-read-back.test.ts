import { LiveReplayMax, makeEnvelope, MessageType, StreamReadBack, Streams, type Envelope } from '@btc-research/contracts';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../logger.js';
import { waitFor } from '../testing/wait-for.js';
import { InProcessBus } from './in-process-bus.js';
import type { Subscription } from './message-bus.js';

/** The in-process bus keeps only a read-back window of what every consumer group has read. */

const logger = createLogger('bus-read-back-test', { level: 'silent' });
const MAX_LEN = 1_000;
const READ_BACK = 10;

function trade(i: number): Envelope {
  const time = 1_718_000_000_000 + i * 1_000;
  return makeEnvelope({
    type: MessageType.trade,
    id: `BTCUSDT-trade-${i}`,
    source: 'test/bus',
    tsEvent: time,
    tsInit: time + 1,
    payload: { venue: 'BINANCE', symbol: 'BTCUSDT', tradeId: String(i), price: '100.5', quantity: '0.25', time, isBuyerMaker: false },
  });
}

describe('InProcessBus read-back retention', () => {
  const buses: InProcessBus[] = [];
  const subs: Subscription[] = [];
  function newBus(readBack: (stream: string) => number | undefined = () => READ_BACK): InProcessBus {
    const bus = new InProcessBus({ logger, blockMs: 20, retryInitialMs: 10, retryMaxMs: 50, readBack });
    buses.push(bus);
    return bus;
  }

  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  it('keeps only the read-back window of entries every group has read and acknowledged, the newest ones', async () => {
    const bus = newBus();
    const stream = Streams.trades('BTCUSDT');
    const got: Record<string, string[]> = { a: [], b: [] };
    for (const group of ['a', 'b']) subs.push(bus.consume({ streams: [stream], group, consumer: 'c', batchSize: 50 }, async (batch) => void got[group]!.push(...batch.map((e) => e.envelope.id))));
    const writer = bus.openWriter();
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const env = trade(i);
      sent.push(env.id);
      await writer.append(stream, env, MAX_LEN);
      if (i % 20 === 19) await waitFor(async () => got['a']!.length === i + 1 && got['b']!.length === i + 1 && (await bus.pendingCount(stream, 'a')) === 0 && (await bus.pendingCount(stream, 'b')) === 0, { what: 'both groups caught up' });
    }
    expect(got['a']).toEqual(sent);
    expect(got['b']).toEqual(sent);
    await writer.append(stream, trade(200), MAX_LEN);
    // everything but the newest entry was read: at most the window is kept, plus what is unread
    expect(await bus.streamLength(stream)).toBeLessThanOrEqual(READ_BACK + 1);
    const latest = await bus.readLatest(stream, READ_BACK);
    expect(latest.map((e) => e.envelope.id)).toEqual([...sent.slice(200 - READ_BACK + 1), trade(200).id]);
    await writer.close();
  });

  it('never trims an entry a group has not read or not acknowledged, nor one a group whose reader is away has not read', async () => {
    const bus = newBus();
    const stream = Streams.trades('BTCUSDT');
    const fast: string[] = [];
    subs.push(bus.consume({ streams: [stream], group: 'fast', consumer: 'c', batchSize: 50 }, async (batch) => void fast.push(...batch.map((e) => e.envelope.id))));
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(trade(i).id);
      await bus.publish(stream, trade(i), MAX_LEN);
    }
    // "slow" reads the first batch and holds it unacknowledged, then its reader goes away
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slowFirst: string[] = [];
    const slow = bus.consume({ streams: [stream], group: 'slow', consumer: 'c', batchSize: 5 }, async (batch) => {
      slowFirst.push(...batch.map((e) => e.envelope.id));
      await gate;
    });
    onTestFinished(() => release());
    await waitFor(() => slowFirst.length === 5, { what: 'slow group holding its first batch' });
    for (let i = 5; i < 100; i++) {
      sent.push(trade(i).id);
      await bus.publish(stream, trade(i), MAX_LEN);
    }
    await waitFor(() => fast.length === 100, { what: 'fast group read everything' });
    // nothing the slow group holds unacknowledged or has not read is gone
    expect(await bus.streamLength(stream)).toBe(100);
    release();
    await slow.stop();
    expect(await bus.pendingCount(stream, 'slow')).toBe(0);
    for (let i = 100; i < 150; i++) {
      sent.push(trade(i).id);
      await bus.publish(stream, trade(i), MAX_LEN);
    }
    // the slow group's subscription is stopped (as while a service resubscribes): still kept
    expect(await bus.streamLength(stream)).toBe(145);
    const slowRest: string[] = [];
    subs.push(bus.consume({ streams: [stream], group: 'slow', consumer: 'c', batchSize: 500 }, async (batch) => void slowRest.push(...batch.map((e) => e.envelope.id))));
    await waitFor(() => slowRest.length === 145, { what: 'slow group got every entry back' });
    expect([...slowFirst, ...slowRest]).toEqual(sent);
    await waitFor(async () => (await bus.pendingCount(stream, 'slow')) === 0 && fast.length === 150, { what: 'all read and acknowledged' });
    await bus.publish(stream, trade(150), MAX_LEN);
    expect(await bus.streamLength(stream)).toBeLessThanOrEqual(READ_BACK + 1);
  });

  it('still trims to maxLen, and keeps a family read back up to its retention (no read-back window) at maxLen', async () => {
    const bus = newBus((stream) => (stream === 'kept' ? undefined : READ_BACK));
    for (let i = 0; i < 50; i++) await bus.publish('kept', trade(i), 30);
    expect(await bus.streamLength('kept')).toBe(30);
    // no consumer group at all: everything is read, the window applies at once
    for (let i = 0; i < 50; i++) await bus.publish('windowed', trade(i), 30);
    expect(await bus.streamLength('windowed')).toBe(READ_BACK);
  });

  it('by default keeps the contracts’ read-back windows for trades and strategy events, the full retention for commands', async () => {
    const bus = new InProcessBus({ logger });
    buses.push(bus);
    const trades = Streams.trades('BTCUSDT');
    const fields = { type: MessageType.trade, v: '1', data: '{}' };
    for (let i = 0; i < StreamReadBack.trades + 500; i++) await bus.appendRaw(trades, fields, 100_000);
    expect(await bus.streamLength(trades)).toBe(StreamReadBack.trades);
    const events = Streams.strategyEvents();
    for (let i = 0; i < StreamReadBack.strategyEvents + 500; i++) await bus.appendRaw(events, fields, 100_000);
    expect(await bus.streamLength(events)).toBe(StreamReadBack.strategyEvents);
    const commands = Streams.commands();
    for (let i = 0; i < StreamReadBack.strategyEvents + 500; i++) await bus.appendRaw(commands, fields, 100_000);
    expect(await bus.streamLength(commands)).toBe(StreamReadBack.strategyEvents + 500);
  });

  it('still replays in full the LiveReplayMax strategy events a reconnecting client missed once the read-back window has trimmed', async () => {
    const bus = new InProcessBus({ logger });
    buses.push(bus);
    const events = Streams.strategyEvents();
    const ids: string[] = [];
    for (let i = 0; i < StreamReadBack.strategyEvents * 2; i++) ids.push(await bus.publish(events, trade(i), 100_000));
    expect(await bus.streamLength(events)).toBe(StreamReadBack.strategyEvents);
    const lastSeen = ids[ids.length - 1 - LiveReplayMax]!;
    const replay = await bus.read(events, lastSeen, LiveReplayMax);
    expect(replay.map((e) => e.id)).toEqual(ids.slice(-LiveReplayMax));
  });
});
