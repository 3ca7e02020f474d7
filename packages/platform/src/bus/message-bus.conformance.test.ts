import { randomUUID } from 'node:crypto';
import { makeEnvelope, MessageType, Streams, type Envelope } from '@btc-research/contracts';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { waitFor } from '../testing/wait-for.js';
import type { BusTuning } from './bus-tuning.js';
import { InProcessBus } from './in-process-bus.js';
import type { BusEntry, MessageBus, Subscription } from './message-bus.js';
import type { RawStreamAccess } from './raw-entry.js';
import { RedisBus } from './redis-bus.js';
import { compareStreamIds } from './stream-id.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const RUN_ID = randomUUID().slice(0, 8);
const KEY_PREFIX = `test:bus:${RUN_ID}`;

type TestBus = MessageBus & RawStreamAccess;

interface LogCapture {
  lines: Array<Record<string, unknown>>;
}

function captureLogger(capture: LogCapture) {
  return pino({ level: 'debug' }, { write: (line: string) => void capture.lines.push(JSON.parse(line) as Record<string, unknown>) });
}

const implementations: Array<{ name: string; create: (logger: ReturnType<typeof captureLogger>, tuning: BusTuning) => TestBus }> = [
  { name: 'in-process', create: (logger, tuning) => new InProcessBus({ logger, ...tuning }) },
  { name: 'redis', create: (logger, tuning) => new RedisBus({ redisUrl: REDIS_URL, logger, ...tuning }) },
];

let seq = 0;
function candle(i: number): Envelope {
  const openTime = 1_718_000_000_000 + i * 60_000;
  return makeEnvelope({
    type: MessageType.candleClosed,
    id: `BTCUSDT.BINANCE-1m@${openTime + 60_000}#${seq++}`,
    source: 'test/bus',
    tsEvent: openTime + 60_000,
    tsInit: openTime + 60_001,
    payload: {
      venue: 'BINANCE',
      symbol: 'BTCUSDT',
      timeframe: '1m',
      openTime,
      closeTime: openTime + 60_000,
      open: '100.5',
      high: '101',
      low: '99.25',
      close: '100.75',
      volume: '12.5',
      synthetic: false,
      origin: 'simulated',
    },
  });
}

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  try {
    for (const pattern of [`${KEY_PREFIX}:*`, `dlq:${KEY_PREFIX}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
});

describe.each(implementations)('MessageBus conformance: $name', (impl) => {
  const open: TestBus[] = [];
  const subs: Subscription[] = [];
  let streamCounter = 0;

  function newBus(tuning: BusTuning = {}, capture: LogCapture = { lines: [] }): TestBus {
    const bus = impl.create(captureLogger(capture), { blockMs: 200, retryInitialMs: 20, retryMaxMs: 200, ...tuning });
    open.push(bus);
    return bus;
  }
  function streamName(label: string): string {
    return `${KEY_PREFIX}:${impl.name}:${label}:${streamCounter++}`;
  }
  function track(sub: Subscription): Subscription {
    subs.push(sub);
    return sub;
  }

  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('publishes with monotonic "<ms>-<seq>" ids and a group consumes in publish order', async () => {
    const bus = newBus();
    const stream = streamName('order');
    const ids: string[] = [];
    const sent: string[] = [];
    for (let i = 0; i < 25; i++) {
      const env = candle(i);
      sent.push(env.id);
      ids.push(await bus.publish(stream, env, 1000));
    }
    for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
    for (let i = 1; i < ids.length; i++) expect(compareStreamIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);

    const got: BusEntry[] = [];
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c1', batchSize: 7 }, async (batch) => void got.push(...batch)));
    await waitFor(() => got.length >= 25, { what: 'all entries consumed' });
    expect(got.map((e) => e.envelope.id)).toEqual(sent);
    expect(got.map((e) => e.id)).toEqual(ids);
    expect(got.every((e) => e.stream === stream && e.deliveryCount === 1)).toBe(true);
    expect(got[0]!.envelope.payload).toMatchObject({ close: '100.75', symbol: 'BTCUSDT' });
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'all acked' });
  });

  it('never calls a handler synchronously inside publish', async () => {
    const bus = newBus();
    const stream = streamName('async');
    let calls = 0;
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c1' }, async () => void (calls += 1)));
    // let the consumer reach its blocking read, then publish without awaiting
    await bus.publish(stream, candle(0), 100);
    await waitFor(() => calls === 1, { what: 'first delivery' });
    const pending = bus.publish(stream, candle(1), 100);
    expect(calls).toBe(1);
    await pending;
    await waitFor(() => calls === 2, { what: 'second delivery' });
  });

  it('rejects an invalid envelope on publish and appends nothing', async () => {
    const bus = newBus();
    const stream = streamName('invalid');
    const bad = { ...candle(0), payload: { symbol: 'btc' } } as Envelope;
    await expect(bus.publish(stream, bad, 100)).rejects.toBeInstanceOf(ValidationError);
    const unknown = { ...candle(0), type: 'no.such.type' } as Envelope;
    await expect(bus.publish(stream, unknown, 100)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { code: 'UNKNOWN_MESSAGE_TYPE' } });
    expect(await bus.streamLength(stream)).toBe(0);
  });

  it('stores entries with the fields type, v and data (the whole envelope as JSON)', async () => {
    const bus = newBus();
    const stream = streamName('fields');
    const env = candle(0);
    const id = await bus.publish(stream, env, 100);
    const [raw] = await bus.readRaw(stream, '0', 10);
    expect(raw?.id).toBe(id);
    expect(Object.keys(raw!.fields).sort()).toEqual(['data', 'type', 'v']);
    expect(raw!.fields['type']).toBe(MessageType.candleClosed);
    expect(raw!.fields['v']).toBe('1');
    expect(JSON.parse(raw!.fields['data']!)).toEqual(env);
  });

  it('gives every entry to each of two groups', async () => {
    const bus = newBus();
    const stream = streamName('groups');
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const env = candle(i);
      sent.push(env.id);
      await bus.publish(stream, env, 1000);
    }
    const a: string[] = [];
    const b: string[] = [];
    track(bus.consume({ streams: [stream], group: 'ga', consumer: 'c' }, async (batch) => void a.push(...batch.map((e) => e.envelope.id))));
    track(bus.consume({ streams: [stream], group: 'gb', consumer: 'c' }, async (batch) => void b.push(...batch.map((e) => e.envelope.id))));
    for (let i = 10; i < 15; i++) {
      const env = candle(i);
      sent.push(env.id);
      await bus.publish(stream, env, 1000);
    }
    await waitFor(() => a.length >= 15 && b.length >= 15, { what: 'both groups consumed' });
    expect(a).toEqual(sent);
    expect(b).toEqual(sent);
  });

  it('splits entries between two consumers of one group, each entry once', async () => {
    const bus = newBus();
    const stream = streamName('split');
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      const env = candle(i);
      sent.push(env.id);
      await bus.publish(stream, env, 1000);
    }
    const byConsumer: Record<string, string[]> = { c1: [], c2: [] };
    const handlerFor = (me: string, other: string) => async (batch: readonly BusEntry[]) => {
      byConsumer[me]!.push(...batch.map((e) => e.envelope.id));
      // hold the first batch until the other consumer also has one, so both take part
      await waitFor(() => byConsumer[other]!.length > 0, { what: `${other} to receive a batch` });
    };
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c1', batchSize: 5 }, handlerFor('c1', 'c2')));
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c2', batchSize: 5 }, handlerFor('c2', 'c1')));
    await waitFor(() => byConsumer['c1']!.length + byConsumer['c2']!.length >= 40, { what: 'all entries consumed' });
    const all = [...byConsumer['c1']!, ...byConsumer['c2']!];
    expect(all).toHaveLength(40);
    expect(new Set(all)).toEqual(new Set(sent));
    expect(byConsumer['c1']!.length).toBeGreaterThan(0);
    expect(byConsumer['c2']!.length).toBeGreaterThan(0);
  });

  it('reads several streams in one subscription without a busy stream starving the others', async () => {
    const bus = newBus();
    const busy = streamName('busy');
    const quiet = streamName('quiet');
    for (let i = 0; i < 30; i++) await bus.publish(busy, candle(i), 1000);
    const quietEnv = candle(100);
    await bus.publish(quiet, quietEnv, 1000);
    const batches: BusEntry[][] = [];
    track(bus.consume({ streams: [busy, quiet], group: 'g', consumer: 'c', batchSize: 5 }, async (batch) => void batches.push([...batch])));
    await waitFor(() => batches.flat().length >= 31, { what: 'all entries of both streams' });
    const firstQuiet = batches.findIndex((b) => b.some((e) => e.stream === quiet));
    expect(firstQuiet).toBe(0);
    expect(batches[0]!.filter((e) => e.stream === busy)).toHaveLength(5);
    expect(batches.flat().filter((e) => e.stream === busy).map((e) => e.envelope.payload)).toHaveLength(30);
  });

  it('starts a new group at "$" with only entries published after it was created', async () => {
    const bus = newBus();
    const stream = streamName('dollar');
    const before = candle(0);
    await bus.publish(stream, before, 100);
    const got: string[] = [];
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c', startAt: '$' }, async (batch) => void got.push(...batch.map((e) => e.envelope.id))));
    const after: string[] = [];
    await waitFor(
      async () => {
        const env = candle(after.length + 1);
        after.push(env.id);
        await bus.publish(stream, env, 100);
        return got.length > 0;
      },
      { what: 'a delivery after group creation', intervalMs: 20 },
    );
    expect(got).not.toContain(before.id);
    expect(after).toEqual(expect.arrayContaining(got));
  });

  it('retries a batch whose handler throws, with backoff, logging the failure', async () => {
    const capture: LogCapture = { lines: [] };
    const bus = newBus({ retryInitialMs: 30 }, capture);
    const stream = streamName('retry');
    const env = candle(0);
    await bus.publish(stream, env, 100);
    const attempts: Array<{ at: number; count: number }> = [];
    track(
      bus.consume({ streams: [stream], group: 'g', consumer: 'c' }, async (batch) => {
        attempts.push({ at: Date.now(), count: batch[0]!.deliveryCount });
        if (attempts.length < 3) throw new Error('transient failure');
      }),
    );
    await waitFor(() => attempts.length >= 3, { what: 'three attempts' });
    expect(attempts.map((a) => a.count)).toEqual([1, 2, 3]);
    // exponential backoff: 30 ms, then 60 ms
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(25);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(55);
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'acked after success' });
    const failures = capture.lines.filter((l) => l['msg'] === 'handler failed; batch left pending for retry');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 50, stream, firstId: expect.any(String), err: { message: 'transient failure' } });
  });

  it('redelivers the pending entries of a consumer that stopped without acking when it restarts', async () => {
    const stream = streamName('restart');
    const first = newBus();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const env = candle(i);
      sent.push(env.id);
      await first.publish(stream, env, 100);
    }
    let seen = 0;
    const crashing = first.consume({ streams: [stream], group: 'g', consumer: 'worker-1' }, async (batch) => {
      seen += batch.length;
      throw new Error('crash before ack');
    });
    await waitFor(() => seen >= 5, { what: 'first delivery' });
    await crashing.stop();
    // Redis: the whole process goes away (a new bus, new connections). In-process state lives in
    // the bus itself, so there only the consumer restarts.
    let second = first;
    if (first.kind === 'redis') {
      await first.close();
      second = newBus();
    }
    expect(await second.pendingCount(stream, 'g')).toBe(5);
    const extra = candle(99);
    await second.publish(stream, extra, 100);
    const got: BusEntry[] = [];
    track(second.consume({ streams: [stream], group: 'g', consumer: 'worker-1', claimIdleMs: 60_000 }, async (batch) => void got.push(...batch)));
    await waitFor(() => got.length >= 6, { what: 'redelivery and the new entry' });
    expect(got.map((e) => e.envelope.id)).toEqual([...sent, extra.id]);
    expect(got.slice(0, 5).every((e) => e.deliveryCount >= 2)).toBe(true);
    expect(got[5]!.deliveryCount).toBe(1);
    await waitFor(async () => (await second.pendingCount(stream, 'g')) === 0, { what: 'all acked' });
  });

  it("claims a dead consumer's pending entries after claimIdleMs", async () => {
    const stream = streamName('claim');
    const bus = newBus();
    const sent: string[] = [];
    for (let i = 0; i < 4; i++) {
      const env = candle(i);
      sent.push(env.id);
      await bus.publish(stream, env, 100);
    }
    let lastDeadDeliveryAt = 0;
    const dead = bus.consume({ streams: [stream], group: 'g', consumer: 'dead' }, async (batch) => {
      lastDeadDeliveryAt = Date.now();
      if (batch.length > 0) throw new Error('dies before ack');
    });
    await waitFor(() => lastDeadDeliveryAt > 0, { what: 'delivery to the dying consumer' });
    await dead.stop();
    const deadStoppedAt = lastDeadDeliveryAt;

    const claimIdleMs = 300;
    const got: BusEntry[] = [];
    let receivedAt = 0;
    track(
      bus.consume({ streams: [stream], group: 'g', consumer: 'alive', claimIdleMs }, async (batch) => {
        receivedAt ||= Date.now();
        got.push(...batch);
      }),
    );
    await waitFor(() => got.length >= 4, { what: 'claimed entries', timeoutMs: 10_000 });
    expect(got.map((e) => e.envelope.id)).toEqual(sent);
    expect(got.every((e) => e.deliveryCount >= 2)).toBe(true);
    expect(receivedAt - deadStoppedAt).toBeGreaterThanOrEqual(claimIdleMs - 5);
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'claimed entries acked' });
  });

  it('openWriter appends in call order what groups consume and readers decode, trimming with MAXLEN', async () => {
    const bus = newBus();
    const stream = streamName('writer');
    const writer = bus.openWriter();
    const sent = Array.from({ length: 500 }, (_, i) => candle(i));
    const ids = await Promise.all(sent.map((env) => writer.append(stream, env, 100_000)));
    for (let i = 1; i < ids.length; i++) expect(compareStreamIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
    const got: BusEntry[] = [];
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c1', batchSize: 100 }, async (batch) => void got.push(...batch)));
    await waitFor(() => got.length >= 500, { what: 'all written entries consumed' });
    expect(got.map((e) => e.envelope)).toEqual(sent);
    expect(got.map((e) => e.id)).toEqual(ids);
    for (let i = 0; i < 300; i++) await writer.append(stream, candle(1000 + i), 20);
    expect(await bus.streamLength(stream)).toBeLessThan(300);
    expect((await bus.readLatest(stream, 1))[0]!.envelope.payload).toMatchObject({ openTime: 1_718_000_000_000 + 1299 * 60_000 });
    await writer.close();
    await expect(writer.append(stream, candle(0), 20)).rejects.toThrow(/closed/);
  });

  it('openWriter never trims what a stalled (in process) or stopped (Redis) consumer group has not read: it gets every entry back', async () => {
    const capture: LogCapture = { lines: [] };
    const bus = newBus({}, capture);
    const stream = streamName('writer-lossless');
    const writer = bus.openWriter();
    const got: string[] = [];
    let isStalled = false;
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const first = bus.consume({ streams: [stream], group: 'g', consumer: 'c1', batchSize: 5 }, async (batch) => {
      if (isStalled) await gate;
      got.push(...batch.map((e) => e.envelope.id));
    });
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const env = candle(i);
      sent.push(env.id);
      await writer.append(stream, env, 20);
    }
    await waitFor(async () => got.length >= 10 && (await bus.pendingCount(stream, 'g')) === 0, { what: 'first entries consumed and acked' });
    // in one process the paper trader can only be slow (stalled); over Redis it can be down
    if (bus.kind === 'in-process') isStalled = true;
    else await first.stop();
    let written = 0;
    const producer = (async () => {
      for (let i = 10; i < 310; i++) {
        const env = candle(i);
        sent.push(env.id);
        await writer.append(stream, env, 20);
        written += 1;
      }
    })();
    if (bus.kind === 'in-process') {
      // back-pressure: the producer is held about maxLen entries ahead of the group
      await waitFor(async () => (await bus.streamLength(stream)) >= 20, { what: 'stream filled to maxLen' });
      await new Promise((r) => setTimeout(r, 200));
      expect(written).toBeLessThan(40);
    } else {
      await producer; // Redis keeps every unread entry, past maxLen
      expect(await bus.streamLength(stream)).toBeGreaterThanOrEqual(300);
      expect(capture.lines.some((l) => String(l['msg']).includes('kept past its maxLen'))).toBe(true);
    }
    if (bus.kind === 'in-process') {
      release();
      track(first);
    } else track(bus.consume({ streams: [stream], group: 'g', consumer: 'c1', batchSize: 50 }, async (batch) => void got.push(...batch.map((e) => e.envelope.id))));
    await producer;
    await waitFor(() => got.length >= 310, { what: 'every entry delivered after the restart', timeoutMs: 15_000 });
    expect(got).toEqual(sent);
    // caught up: the stream is trimmed back towards maxLen by later appends
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'all acked' });
    for (let i = 310; i < 560; i++) await writer.append(stream, candle(i), 20);
    await waitFor(async () => {
      await writer.append(stream, candle(1_000), 20);
      return (await bus.streamLength(stream)) < 200;
    }, { what: 'stream trimmed back', timeoutMs: 10_000 });
    await writer.close();
  });

  it('trims with MAXLEN, keeping the newest entries', async () => {
    const bus = newBus();
    const stream = streamName('maxlen');
    const sent: string[] = [];
    for (let i = 0; i < 300; i++) {
      const env = candle(i);
      sent.push(env.id);
      await bus.publish(stream, env, 20);
    }
    const length = await bus.streamLength(stream);
    expect(length).toBeGreaterThanOrEqual(20);
    expect(length).toBeLessThan(300);
    if (bus.kind === 'in-process') expect(length).toBe(20);
    const all = await bus.read(stream, '0', 1000);
    expect(all).toHaveLength(length);
    expect(all.map((e) => e.envelope.id)).toEqual(sent.slice(300 - length));
    const latest = await bus.readLatest(stream, 20);
    expect(latest.map((e) => e.envelope.id)).toEqual(sent.slice(280));
  });

  it('acks pending entries that were trimmed away before redelivery instead of stalling', async () => {
    const bus = newBus();
    const stream = streamName('trimmed-pending');
    const doomed = candle(0);
    await bus.publish(stream, doomed, 100_000);
    let isFailing = true;
    const got: string[] = [];
    const sub = bus.consume({ streams: [stream], group: 'g', consumer: 'c', claimIdleMs: 60_000 }, async (batch) => {
      got.push(...batch.map((e) => e.envelope.id));
      if (isFailing) throw new Error('not yet');
    });
    await waitFor(() => got.length > 0, { what: 'first delivery' });
    await sub.stop();
    expect(await bus.pendingCount(stream, 'g')).toBe(1);
    // push the pending entry out of the stream (Redis trims whole nodes of ~100 entries)
    for (let i = 1; i <= 250; i++) await bus.publish(stream, candle(i), 10);
    const retained = (await bus.read(stream, '0', 1000)).map((e) => e.envelope.id);
    expect(retained).not.toContain(doomed.id);
    isFailing = false;
    got.length = 0;
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c', claimIdleMs: 60_000, batchSize: 500 }, async (batch) => void got.push(...batch.map((e) => e.envelope.id))));
    await waitFor(() => got.length >= retained.length, { what: 'retained entries delivered' });
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'trimmed pending entry acked' });
    expect(got).not.toContain(doomed.id);
  });

  it('moves malformed entries to dlq:<stream> with a reason, acks them and keeps consuming', async () => {
    const bus = newBus();
    const stream = streamName('dlq');
    const good = [candle(0), candle(1), candle(2)];
    const badPayload = { ...candle(3), payload: { symbol: 'nope' } };
    const unknownType = { ...candle(4), type: 'no.such.type' };
    await bus.publish(stream, good[0]!, 100);
    await bus.appendRaw(stream, { type: MessageType.candleClosed, v: '1', data: '{not json' }, 100);
    await bus.appendRaw(stream, { type: MessageType.candleClosed, v: '1', data: JSON.stringify(badPayload) }, 100);
    await bus.publish(stream, good[1]!, 100);
    await bus.appendRaw(stream, { type: 'no.such.type', v: '1', data: JSON.stringify(unknownType) }, 100);
    await bus.appendRaw(stream, { type: MessageType.candleClosed, v: '1' }, 100);
    const got: string[] = [];
    track(bus.consume({ streams: [stream], group: 'g', consumer: 'c', batchSize: 2 }, async (batch) => void got.push(...batch.map((e) => e.envelope.id))));
    await bus.publish(stream, good[2]!, 100);
    await waitFor(() => got.length >= 3, { what: 'valid entries' });
    expect(got).toEqual(good.map((e) => e.id));
    const dlq = await waitFor(async () => {
      const entries = await bus.readRaw(Streams.deadLetter(stream), '0', 100);
      return entries.length >= 4 ? entries : null;
    }, { what: 'dead letters' });
    expect(dlq.map((e) => e.fields['reason'])).toEqual(['MALFORMED_JSON', 'INVALID_PAYLOAD', 'UNKNOWN_MESSAGE_TYPE', 'INVALID_ENVELOPE']);
    expect(dlq[0]!.fields).toMatchObject({ data: '{not json', type: MessageType.candleClosed, consumer: 'c', group: 'g', sourceStream: stream });
    expect(dlq[0]!.fields['error']).toEqual(expect.any(String));
    expect(dlq[0]!.fields['sourceId']).toMatch(/^\d+-\d+$/);
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'group fully acked' });
  });

  it('reads without a group: read after an id (exclusive) and readLatest oldest first', async () => {
    const bus = newBus();
    const stream = streamName('read');
    const ids: string[] = [];
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const env = candle(i);
      sent.push(env.id);
      ids.push(await bus.publish(stream, env, 100));
    }
    expect((await bus.read(stream, '0', 100)).map((e) => e.envelope.id)).toEqual(sent);
    expect((await bus.read(stream, ids[2]!, 2)).map((e) => e.id)).toEqual([ids[3], ids[4]]);
    expect((await bus.readLatest(stream, 3)).map((e) => e.id)).toEqual(ids.slice(3));
    expect(await bus.read(streamName('missing'), '0', 10)).toEqual([]);
    expect(await bus.readLatest(streamName('missing'), 10)).toEqual([]);
  });

  it('tail returns waiting entries at once, wakes up on publish, and times out empty', async () => {
    const bus = newBus();
    const stream = streamName('tail');
    const firstId = await bus.publish(stream, candle(0), 100);
    const immediate = await bus.tail(stream, '0', 5_000, 10);
    expect(immediate.map((e) => e.id)).toEqual([firstId]);

    const startedAt = Date.now();
    const waiting = bus.tail(stream, firstId, 10_000, 10);
    const published = candle(1);
    const secondId = await bus.publish(stream, published, 100);
    const woke = await waiting;
    expect(woke.map((e) => e.id)).toEqual([secondId]);
    expect(woke[0]!.envelope.id).toBe(published.id);
    expect(Date.now() - startedAt).toBeLessThan(10_000);

    expect(await bus.tail(stream, secondId, 50, 10)).toEqual([]);
  });

  it('close() stops consumers, ends blocked tails and refuses later publishes', async () => {
    const bus = newBus({ blockMs: 5_000 });
    const stream = streamName('close');
    const got: string[] = [];
    bus.consume({ streams: [stream], group: 'g', consumer: 'c' }, async (batch) => void got.push(...batch.map((e) => e.envelope.id)));
    const env = candle(0);
    await bus.publish(stream, env, 100);
    await waitFor(() => got.length === 1, { what: 'delivery' });
    const tail = bus.tail(stream, '$', 30_000, 10);
    const closedAt = Date.now();
    await bus.close();
    expect(await tail).toEqual([]);
    expect(Date.now() - closedAt).toBeLessThan(5_000);
    await expect(bus.publish(stream, candle(1), 100)).rejects.toThrow(/closed/);
  });
});
