import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessBus, PostgresStrategyStore, createLogger, waitFor } from '@btc-research/platform';
import { buildPaperTraderParts, type PaperTraderParts } from './service.js';
import { recordingLogger, type LoggedLine } from './testing/recording-logger.js';
import { testConfig } from './testing/test-config.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const repoConfig = path.resolve(import.meta.dirname, '..', '..', '..', 'config');
/** long enough that a slow machine renews in time, short enough to wait for its expiry */
const LEASE_TTL_MS = 2_000;

interface Worker {
  parts: PaperTraderParts;
  store: PostgresStrategyStore;
  lines: LoggedLine[];
}

// Two workers of the distributed deployment sharing one PostgreSQL store: what their lease rounds do
// when one of them stops renewing, or when a strategy is stopped through the other.
describe('LeaseRound (two workers, PostgreSQL in a random schema)', () => {
  let dir: string;
  let schema: string;
  let bus: InProcessBus;
  const workers: Worker[] = [];

  const startWorker = async (name: string): Promise<Worker> => {
    const store = await PostgresStrategyStore.open({ databaseUrl: DATABASE_URL, schema, maxConnections: 3 });
    const { logger, lines } = recordingLogger();
    const config = testConfig(dir, { consumerName: name, autoStart: false, leaseTtlMs: LEASE_TTL_MS, databaseUrl: DATABASE_URL, databaseSchema: schema });
    const worker = { parts: buildPaperTraderParts({ config, bus, store, logger }), store, lines };
    workers.push(worker);
    return worker;
  };
  const startEma = async (w: Worker) => {
    const yaml = await fs.readFile(path.join(repoConfig, 'demo-ema-cross.yaml'), 'utf8');
    await w.parts.serial.run(() => w.parts.lifecycle.start({ id: 'ema', configName: 'demo-ema-cross.yaml', configYaml: yaml, from: 'history' }));
  };
  const round = (w: Worker) => w.parts.serial.run(() => w.parts.leaseRound.run());
  const leaseHolder = async (name: string) => (await workers[0]!.store.getLease(name))?.owner ?? null;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-lease-round-'));
    schema = `pt_lease_${randomBytes(6).toString('hex')}`;
    bus = new InProcessBus({ logger: createLogger('bus', { level: 'silent' }), blockMs: 20 });
  });

  afterEach(async () => {
    for (const { parts, store } of workers.splice(0)) {
      parts.shutdown.abort();
      await parts.ingest.stop();
      for (const id of parts.owned.ids()) await parts.owned.deactivate(id, false);
      await store.close();
    }
    await bus.close();
    await PostgresStrategyStore.dropSchema(DATABASE_URL, schema);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('one owner at a time: a worker that stops renewing loses the log and its strategies, and drops them when it notices', async () => {
    const a = await startWorker('worker-a');
    const b = await startWorker('worker-b');
    await startEma(a);
    await round(a);
    await round(b);
    expect([a.parts.ingest.isRunning(), a.parts.owned.has('ema')]).toEqual([true, true]);
    expect([b.parts.ingest.isRunning(), b.parts.owned.has('ema')]).toEqual([false, false]);
    expect([await leaseHolder('market-log'), await leaseHolder('strategy:ema')]).toEqual(['worker-a', 'worker-a']);

    // worker A stops renewing (hung, or cut off from the database); B's rounds take over once the leases expire
    await waitFor(
      async () => {
        await round(b);
        return b.parts.owned.has('ema') && b.parts.ingest.isRunning();
      },
      { timeoutMs: 20_000, intervalMs: 50, what: 'worker B takes over' },
    );
    expect(b.lines.some((l) => l.msg === 'took over strategy' && l.fields['strategyId'] === 'ema')).toBe(true);
    expect(a.parts.owned.has('ema')).toBe(true); // A has not noticed yet

    await round(a);
    expect([a.parts.ingest.isRunning(), a.parts.owned.has('ema')]).toEqual([false, false]);
    expect(a.lines.some((l) => l.level === 'warn' && l.msg === 'lost the lease of a strategy; another worker owns it now')).toBe(true);
    // dropping it did not hand B's lease away
    expect([await leaseHolder('market-log'), await leaseHolder('strategy:ema')]).toEqual(['worker-b', 'worker-b']);
  });

  it('a strategy stopped through another worker is dropped by its owner at the next round, which frees its lease', async () => {
    const a = await startWorker('worker-a');
    const b = await startWorker('worker-b');
    await startEma(a);
    await b.parts.serial.run(() => b.parts.lifecycle.stop('ema'));
    expect((await b.store.getStrategy('ema'))?.status).toBe('stopped');
    expect(await leaseHolder('strategy:ema')).toBe('worker-a');

    await round(a);
    expect(a.parts.owned.has('ema')).toBe(false);
    expect(await leaseHolder('strategy:ema')).toBeNull();
    expect(a.lines.some((l) => l.msg === 'strategy no longer live; dropping it')).toBe(true);
    await round(b);
    expect(b.parts.owned.has('ema')).toBe(false); // stopped stays stopped
  });
});
