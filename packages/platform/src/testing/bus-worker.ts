/**
 * A consumer in its own process, for tests that kill a process mid-batch (SIGKILL: no close, no
 * ack). Configured by env; prints one JSON line per received batch on stdout.
 *   REDIS_URL, BUS_STREAM, BUS_GROUP, BUS_CONSUMER, BUS_CLAIM_IDLE_MS, BUS_MODE=hang|ack
 */
import { pino } from 'pino';
import { RedisBus } from '../bus/redis-bus.js';

const env = process.env;
const bus = new RedisBus({ redisUrl: env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', logger: pino({ level: 'silent' }), blockMs: 200 });
const isHanging = env['BUS_MODE'] === 'hang';

bus.consume(
  {
    streams: [env['BUS_STREAM'] ?? 'missing-stream'],
    group: env['BUS_GROUP'] ?? 'g',
    consumer: env['BUS_CONSUMER'] ?? 'worker',
    claimIdleMs: Number(env['BUS_CLAIM_IDLE_MS'] ?? '30000'),
  },
  async (batch) => {
    process.stdout.write(`${JSON.stringify({ ids: batch.map((e) => e.envelope.id), deliveryCounts: batch.map((e) => e.deliveryCount) })}\n`);
    if (isHanging) await new Promise<never>(() => undefined); // "crashes" before acking
  },
);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
