import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { makeEnvelope, MessageType } from '@btc-research/contracts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger, RedisBus, waitFor, type BusEntry, type Subscription } from '../../packages/platform/src/index.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:bus-kill:${randomUUID().slice(0, 8)}`;
const WORKER = fileURLToPath(new URL('../../packages/platform/src/testing/bus-worker.ts', import.meta.url));

interface Worker {
  child: ChildProcess;
  batches: Array<{ ids: string[]; deliveryCounts: number[] }>;
  isReady: boolean;
}

function startWorker(stream: string, consumer: string, mode: 'hang' | 'ack', claimIdleMs = 60_000): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, REDIS_URL, BUS_STREAM: stream, BUS_GROUP: 'g', BUS_CONSUMER: consumer, BUS_MODE: mode, BUS_CLAIM_IDLE_MS: String(claimIdleMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const worker: Worker = { child, batches: [], isReady: false };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, nl)) as { ready?: boolean; ids?: string[]; deliveryCounts?: number[] };
      buffer = buffer.slice(nl + 1);
      if (line.ready) worker.isReady = true;
      else worker.batches.push({ ids: line.ids ?? [], deliveryCounts: line.deliveryCounts ?? [] });
    }
  });
  return worker;
}

function kill(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
    worker.child.once('exit', () => resolve());
    worker.child.kill('SIGKILL');
  });
}

function candle(i: number) {
  const openTime = 1_700_000_000_000 + i * 60_000;
  return makeEnvelope({
    type: MessageType.candleClosed,
    id: `BTCUSDT.BINANCE-1m@${openTime + 60_000}`,
    source: 'test/bus-kill',
    tsEvent: openTime + 60_000,
    tsInit: openTime + 60_000,
    payload: {
      venue: 'BINANCE', symbol: 'BTCUSDT', timeframe: '1m', openTime, closeTime: openTime + 60_000,
      open: '1', high: '2', low: '0.5', close: '1.5', volume: '10', synthetic: false, origin: 'simulated',
    },
  });
}

describe('Redis consumer killed with SIGKILL in the middle of a batch', () => {
  const workers: Worker[] = [];
  const buses: RedisBus[] = [];
  const subs: Subscription[] = [];

  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
    await Promise.all(workers.splice(0).map(kill));
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    // a connection of the platform's own client (this test does not depend on ioredis directly)
    const bus = new RedisBus({ redisUrl: REDIS_URL, logger: createLogger('test:bus-kill', { level: 'silent' }) });
    const redis = bus.duplicateConnection();
    try {
      const keys = await redis.keys(`${PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
      await bus.close();
    }
  });

  async function publishAll(stream: string, n: number): Promise<{ bus: RedisBus; ids: string[] }> {
    const bus = new RedisBus({ redisUrl: REDIS_URL, logger: createLogger('test:bus-kill', { level: 'silent' }), blockMs: 200 });
    buses.push(bus);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const env = candle(i);
      ids.push(env.id);
      await bus.publish(stream, env, 1000);
    }
    return { bus, ids };
  }

  it('the restarted process re-reads its own pending entries first', async () => {
    const stream = `${PREFIX}:restart`;
    const { bus, ids } = await publishAll(stream, 3);
    const first = startWorker(stream, 'worker-a', 'hang');
    workers.push(first);
    await waitFor(() => first.batches.length > 0, { what: 'first batch in the child', timeoutMs: 15_000 });
    await kill(first);
    expect(first.batches[0]!.ids).toEqual(ids);
    expect(await bus.pendingCount(stream, 'g')).toBe(3);

    const again = startWorker(stream, 'worker-a', 'ack');
    workers.push(again);
    await waitFor(() => again.batches.length > 0, { what: 'redelivery after restart', timeoutMs: 15_000 });
    expect(again.batches[0]!.ids).toEqual(ids);
    expect(again.batches[0]!.deliveryCounts.every((n) => n >= 2)).toBe(true);
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'acked after restart', timeoutMs: 10_000 });
  });

  it("another consumer claims the killed consumer's entries after claimIdleMs", async () => {
    const stream = `${PREFIX}:claim`;
    const { bus, ids } = await publishAll(stream, 4);
    const doomed = startWorker(stream, 'worker-dead', 'hang');
    workers.push(doomed);
    await waitFor(() => doomed.batches.length > 0, { what: 'batch in the doomed child', timeoutMs: 15_000 });
    await kill(doomed);
    const killedAt = Date.now();

    const got: BusEntry[] = [];
    subs.push(bus.consume({ streams: [stream], group: 'g', consumer: 'survivor', claimIdleMs: 400 }, async (batch) => void got.push(...batch)));
    await waitFor(() => got.length >= 4, { what: 'claimed entries', timeoutMs: 10_000 });
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(350);
    expect(got.map((e) => e.envelope.id)).toEqual(ids);
    expect(got.every((e) => e.deliveryCount === 2)).toBe(true);
    await waitFor(async () => (await bus.pendingCount(stream, 'g')) === 0, { what: 'acked by the survivor', timeoutMs: 10_000 });
  });
});
