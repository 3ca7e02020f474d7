/**
 * Fault soak of the stream-manager (`pnpm bench market-data` runs it for 3 h of market time;
 * `pnpm bench market-data-show` runs the 20-minute show). The real stream-manager process
 * (services/stream-manager/src/main.ts, with the memory probe preloaded) reads the local
 * Binance-protocol server (FakeBinanceServer, in this process) at an accelerated clock while the
 * server injects faults on a rotation: connection drops, stalls (no frames, no pongs), garbage
 * frames (about 1 % of frames), depth sequence gaps, REST 429 + Retry-After and 5xx on klines and
 * depth, and the whole exchange down for a while. Figures: the stream-manager's RSS and heap after
 * a full GC over time (growth after warm-up, target ≤ 10 %; heap after GC target ≤ 40 MB), and
 * every published candle compared with the exchange's klines (target: all equal, no gap).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { MessageType, Streams, isMessage, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { RedisBus, createLogger } from '@btc-research/platform';
import { Redis } from 'ioredis';
import { askProbe } from '../../../scripts/bench/ask-probe.js';
import type { MemorySample } from '../../../scripts/bench/memory-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');

export interface FaultSoakOptions {
  /** market hours to run (wall time = hours × 3600 / speed s) */
  marketHours: number;
  /** market ms per wall ms */
  speed: number;
  redisUrl: string;
  print: (s: string) => void;
  label: string;
  sampleEverySeconds?: number;
  /** wall ms between faults */
  faultEveryMs?: number;
  /** exchange trades per market minute (the real BTCUSDT recording has about 1,800) */
  tradesPerMinute?: number;
  /** write heap snapshots of the stream-manager here after warm-up and at the end */
  heapSnapshotDir?: string;
}

export interface FaultSoakReport {
  label: string;
  marketHours: number;
  speed: number;
  wallSeconds: number;
  faults: Record<string, number>;
  server: { connections: number; rejectedConnections: number; framesSent: number; depthWithheld: number; restFaultsServed: number };
  candles: { published: number; equal: number; differing: number; withoutExchangeKline: number; sequenceProblem: string | null; firstDifference: string | null; exchangeMinutesCovered: number; pass: boolean };
  memory: {
    rssStartMb: number;
    rssAfterWarmupMb: number;
    rssEndMb: number;
    rssMaxMb: number;
    heapAfterGcAfterWarmupMb: number;
    heapAfterGcEndMb: number;
    heapAfterGcMaxMb: number;
    rssGrowthAfterWarmupPct: number;
    rssTargetPct: number;
    heapTargetMb: number;
    pass: boolean;
    samples: Array<{ wallS: number; rssMb: number; heapAfterGcMb: number }>;
  };
}

/** how long the soak waits for the stream-manager's memory probe to answer */
const PROBE_TIMEOUT_MS = 120_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const mb = (b: number) => Math.round((b / 1_048_576) * 10) / 10;
const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.floor(a.length / 2)] ?? 0;
};
/** canonical decimal text as the publisher writes it */
const canon = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s) || '0';

/** What strategies get, in stream order: the confirmed candles and the corrections of provisional ones (a REST backfill slowed by a fault goes out provisional first). */
async function allCandles(bus: RedisBus, symbol: string): Promise<MarketCandleClosedV1[]> {
  const out: MarketCandleClosedV1[] = [];
  let after = '0';
  for (;;) {
    const page = await bus.read(Streams.candles(symbol), after, 1000);
    if (page.length === 0) return out;
    for (const e of page) if (!(isMessage(e.envelope, MessageType.candleClosed) && e.envelope.payload.provisional)) out.push(e.envelope.payload as MarketCandleClosedV1);
    after = page[page.length - 1]!.id;
  }
}

export async function runFaultSoak(o: FaultSoakOptions): Promise<FaultSoakReport> {
  const symbol = `SOAK${process.pid}${Date.now() % 100_000}USDT`;
  const tickMs = 20;
  const server = await FakeBinanceServer.start({ symbols: [symbol], seed: 16, startTime: Math.floor(Date.now() / 60_000) * 60_000, tradesPerMinute: o.tradesPerMinute ?? 1_800, tickMs, marketMsPerTick: tickMs * o.speed });
  const bus = new RedisBus({ redisUrl: o.redisUrl, logger: createLogger('soak-bus', { level: 'silent' }) });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'btc-soak-'));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', path.join(repoRoot, 'scripts', 'bench', 'memory-probe.ts'), path.join(repoRoot, 'services', 'stream-manager', 'src', 'main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      MARKET_DATA_SOURCE: 'binance',
      SYMBOLS: symbol,
      BINANCE_WS_URL: server.wsUrl,
      BINANCE_REST_URL: server.url,
      BINANCE_VENUE: 'binance',
      BINANCE_PING_INTERVAL_MS: '500',
      BINANCE_DEAD_AFTER_MS: '2000',
      REDIS_URL: o.redisUrl,
      DATA_DIR: dataDir,
      SIM_HISTORY_MINUTES: '0',
      LOG_LEVEL: process.env['BENCH_SOAK_LOG_LEVEL'] ?? 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (c: Buffer) => (stderrTail = (stderrTail + c.toString('utf8')).slice(-4_000)));
  const logFile = process.env['BENCH_SOAK_LOG_FILE'];
  if (logFile) child.stdout?.pipe(createWriteStream(logFile));
  else child.stdout?.resume();
  const faults: Record<string, number> = {};
  const samples: FaultSoakReport['memory']['samples'] = [];
  const wallStart = Date.now();
  const wallMs = (o.marketHours * 3_600_000) / o.speed;
  const warmupMs = Math.max(30_000, wallMs * 0.15);
  let faultTimer: NodeJS.Timeout | null = null;
  let garbageTimer: NodeJS.Timeout | null = null;
  try {
    const sample = async () => {
      if (child.exitCode !== null) throw new Error(`the stream-manager exited (${child.exitCode}): ${stderrTail}`);
      const s = await askProbe<MemorySample>(child, { type: 'sample' }, 'memory', PROBE_TIMEOUT_MS);
      samples.push({ wallS: Math.round((Date.now() - wallStart) / 1000), rssMb: mb(s.rssBytes), heapAfterGcMb: mb(s.heapAfterGcBytes) });
    };
    // up once its first candle is on the bus
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the stream-manager exited (${child.exitCode}): ${stderrTail}`);
      if ((await bus.readLatest(Streams.candles(symbol), 1)).length > 0) break;
      if (Date.now() - wallStart > 120_000) throw new Error(`no candle within 120 s: ${stderrTail}`);
      await sleep(500);
    }
    await sample();
    o.print(`  ${o.label}: stream-manager up after ${((Date.now() - wallStart) / 1000).toFixed(1)} s; ${o.marketHours} h of market time at ×${o.speed} (${Math.round(wallMs / 1000)} s) with faults every ${(o.faultEveryMs ?? 4_000) / 1000} s`);
    const count = (name: string) => (faults[name] = (faults[name] ?? 0) + 1);
    const rotation: Array<[string, () => void]> = [
      ['drop all connections', () => server.dropConnections()],
      ['depth sequence gap', () => server.withholdDepthDiffs(1)],
      ['stall 3 s (no frames, no pongs)', () => {
        server.setStalled(true);
        setTimeout(() => server.setStalled(false), 3_000).unref();
      }],
      ['REST 429 + Retry-After 1 s on klines, 500 on depth', () => server.restFaults.push({ path: '/api/v3/klines', status: 429, retryAfterSec: 1 }, { path: '/api/v3/depth', status: 500 })],
      ['drop all connections + 502 on the next two klines', () => {
        server.restFaults.push({ path: '/api/v3/klines', status: 502 }, { path: '/api/v3/klines', status: 502 });
        server.dropConnections();
      }],
      ['depth gap of 3 diffs', () => server.withholdDepthDiffs(3)],
      ['exchange down 5 s (WebSocket refused, REST 503)', () => {
        server.setDown(true);
        setTimeout(() => server.setDown(false), 5_000).unref();
      }],
    ];
    let n = 0;
    faultTimer = setInterval(() => {
      const [name, run] = rotation[n++ % rotation.length]!;
      count(name);
      run();
    }, o.faultEveryMs ?? 4_000);
    // about 1 % of frames are garbage
    const garbage = ['{oops', '{"stream":"x","data":{"e":"mystery"}}', '[]', '{"stream":"btcusdt@trade","data":{"e":"trade","p":"NaN"}}', '\u0000\u0001'];
    let lastFrames = server.stats.framesSent;
    garbageTimer = setInterval(() => {
      const sent = server.stats.framesSent - lastFrames;
      lastFrames = server.stats.framesSent;
      for (let i = 0; i < Math.ceil(sent / 100); i++) server.sendRaw(garbage[i % garbage.length]!);
      faults['garbage frames'] = (faults['garbage frames'] ?? 0) + Math.ceil(sent / 100);
    }, 1_000);
    let snapshotWritten = false;
    while (Date.now() - wallStart < wallMs) {
      await sleep(Math.min((o.sampleEverySeconds ?? 10) * 1000, Math.max(100, wallMs - (Date.now() - wallStart))));
      await sample();
      if (o.heapSnapshotDir && !snapshotWritten && Date.now() - wallStart >= warmupMs) {
        snapshotWritten = true;
        await askProbe(child, { type: 'heap-snapshot', file: path.join(o.heapSnapshotDir, `soak-warm-${symbol}.heapsnapshot`) }, 'heap-snapshot', PROBE_TIMEOUT_MS);
      }
    }
    clearInterval(faultTimer);
    clearInterval(garbageTimer);
    faultTimer = null;
    garbageTimer = null;
    server.setDown(false);
    server.setStalled(false);
    server.restFaults.length = 0;
    await sleep(5_000); // reconnect and backfill after the last fault
    server.pause();
    const klines = server.market.closedKlines(symbol);
    const lastKline = klines[klines.length - 1]!.openTime;
    const settleStart = Date.now();
    while (Date.now() - settleStart < 60_000) {
      const [last] = await bus.readLatest(Streams.candles(symbol), 1);
      if (last !== undefined && (last.envelope.payload as MarketCandleClosedV1).openTime >= lastKline) break;
      await sleep(500);
    }
    await sample();
    if (o.heapSnapshotDir) await askProbe(child, { type: 'heap-snapshot', file: path.join(o.heapSnapshotDir, `soak-end-${symbol}.heapsnapshot`) }, 'heap-snapshot', PROBE_TIMEOUT_MS);
    // every published candle against the exchange's kline of that minute
    const byOpen = new Map(klines.map((k) => [k.openTime, k]));
    const candles = await allCandles(bus, symbol);
    let equal = 0;
    let differing = 0;
    let without = 0;
    let firstDifference: string | null = null;
    let sequenceProblem: string | null = null;
    for (let i = 0; i < candles.length; i++) {
      const c = candles[i]!;
      if (i > 0 && sequenceProblem === null && c.openTime - candles[i - 1]!.openTime !== 60_000) sequenceProblem = `step of ${c.openTime - candles[i - 1]!.openTime} ms before ${new Date(c.openTime).toISOString()}`;
      const k = byOpen.get(c.openTime);
      if (k === undefined) {
        without += 1;
        continue;
      }
      const want = [k.open, k.high, k.low, k.close, k.volume.toFixed(8)].map(canon);
      const got = [c.open, c.high, c.low, c.close, c.volume];
      if (want.every((w, j) => w === got[j])) equal += 1;
      else {
        differing += 1;
        firstDifference ??= `${new Date(c.openTime).toISOString()}: published ${got.join(' ')} (${c.origin}), exchange ${want.join(' ')}`;
      }
    }
    const covered = candles.length === 0 ? 0 : klines.filter((k) => k.openTime >= candles[0]!.openTime && k.openTime <= candles[candles.length - 1]!.openTime).length;
    const after = samples.filter((s) => s.wallS * 1000 >= warmupMs);
    const firstWindow = after.slice(0, Math.max(1, Math.ceil(after.length * 0.15)));
    const lastWindow = after.slice(-Math.max(1, Math.ceil(after.length * 0.15)));
    const rssAfterWarmup = median(firstWindow.map((s) => s.rssMb));
    const rssEnd = median(lastWindow.map((s) => s.rssMb));
    const growth = Math.round(((rssEnd - rssAfterWarmup) / rssAfterWarmup) * 1000) / 10;
    const heapMax = Math.max(...samples.map((s) => s.heapAfterGcMb));
    const report: FaultSoakReport = {
      label: o.label,
      marketHours: o.marketHours,
      speed: o.speed,
      wallSeconds: Math.round((Date.now() - wallStart) / 1000),
      faults,
      server: { connections: server.stats.connections, rejectedConnections: server.stats.rejectedConnections, framesSent: server.stats.framesSent, depthWithheld: server.stats.depthWithheld, restFaultsServed: server.stats.faultsServed },
      candles: { published: candles.length, equal, differing, withoutExchangeKline: without, sequenceProblem, firstDifference, exchangeMinutesCovered: covered, pass: candles.length > 0 && differing === 0 && without === 0 && sequenceProblem === null && covered === candles.length },
      memory: {
        rssStartMb: samples[0]!.rssMb,
        rssAfterWarmupMb: rssAfterWarmup,
        rssEndMb: rssEnd,
        rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
        heapAfterGcAfterWarmupMb: median(firstWindow.map((s) => s.heapAfterGcMb)),
        heapAfterGcEndMb: median(lastWindow.map((s) => s.heapAfterGcMb)),
        heapAfterGcMaxMb: heapMax,
        rssGrowthAfterWarmupPct: growth,
        rssTargetPct: 10,
        heapTargetMb: 40,
        pass: growth <= 10 && heapMax <= 40,
        samples,
      },
    };
    const m = report.memory;
    const c = report.candles;
    o.print(`  ${o.label}: faults ${Object.entries(faults).map(([k, v]) => `${k} ×${v}`).join(', ')}; ${report.server.connections} connections, ${report.server.restFaultsServed} REST faults served`);
    o.print(`  ${o.label}: candles ${c.published} published, ${c.equal} equal to the exchange's klines, ${c.differing} differing, ${c.withoutExchangeKline} without an exchange kline, sequence ${c.sequenceProblem ?? 'gap-free'}${c.firstDifference ? ` (first difference ${c.firstDifference})` : ''} — ${c.pass ? 'PASS' : 'FAIL'}`);
    o.print(`  ${o.label}: stream-manager RSS ${m.rssStartMb} MB at start, ${m.rssAfterWarmupMb} MB after warm-up, ${m.rssEndMb} MB at the end (max ${m.rssMaxMb}); growth after warm-up ${m.rssGrowthAfterWarmupPct} % (target ≤ 10 %); heap after a full GC ${m.heapAfterGcAfterWarmupMb} → ${m.heapAfterGcEndMb} MB (max ${m.heapAfterGcMaxMb}, target ≤ 40 MB) — ${m.pass ? 'PASS' : 'FAIL'}`);
    return report;
  } finally {
    if (faultTimer) clearInterval(faultTimer);
    if (garbageTimer) clearInterval(garbageTimer);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await server.close();
    const r = new Redis(o.redisUrl, { maxRetriesPerRequest: 2 });
    await r.del(...[Streams.candles(symbol), Streams.trades(symbol), Streams.bookTicker(symbol), Streams.bookDepth(symbol)]).catch(() => undefined);
    r.disconnect();
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
