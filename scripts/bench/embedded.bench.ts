/**
 * `pnpm bench embedded`: the embedded default (`pnpm start`: all four services in one process, the
 * in-process bus, JSON files, the built-in simulator) run for a week of market time at a high
 * SIM_SPEED, sampling the process's memory as it goes: RSS and the heap left after a full GC (the
 * live set) against market time. Targets: heap after GC flat after the first retention window of
 * the market log, and RSS ≤ 300 MB. Writes reports/bench-embedded.json. Takes minutes (a week at
 * ×600 is about 17 minutes of wall time); BENCH_EMBEDDED_DAYS and BENCH_EMBEDDED_SPEED shorten it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../tests/helpers/service-process.js';
import { askProbe } from './ask-probe.js';
import type { MemorySample, ProbeRequest } from './memory-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const MB = 1024 * 1024;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RSS_TARGET_MB = 300;
/** heap after GC may grow at most this much from the first retention window to the end */
const FLAT_TOLERANCE = 0.1;
/** strategies the demo configs in config/ start as */
const STRATEGIES = ['demo-ema-cross', 'demo-rsi-mean-reversion'];

export interface EmbeddedSample {
  wallSeconds: number;
  /** market time reached by the feed, in days since the first sample */
  marketDays: number;
  /** how far the slowest strategy is behind the feed (market minutes) */
  strategyLagMinutes: number | null;
  rssMb: number;
  heapAfterGcMb: number;
  heapTotalMb: number;
  externalMb: number;
  gcMs: number;
  cpuSeconds: number;
  marketLogMb: number;
  strategiesMb: number;
}

export interface EmbeddedBenchReport {
  name: 'embedded-week';
  simSpeed: number;
  marketDays: number;
  retentionHours: number;
  wallSeconds: number;
  start: EmbeddedSample;
  afterFirstRetentionWindow: EmbeddedSample;
  end: EmbeddedSample;
  rssMaxMb: number;
  heapAfterGc: { windowMedianMb: number; endMedianMb: number; maxAfterWindowMb: number; slopeMbPerDay: number; growthPct: number };
  targets: { rss: string; heap: string };
  met: { rss: boolean; heapFlat: boolean };
  samples: EmbeddedSample[];
  loadAverage: number[];
  node: string;
  at: string;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? await sizeOf(p) : (await stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

/** One request at a time over the child's IPC channel; a heap snapshot of a busy process on a loaded machine can take minutes. */
function askEmbeddedProbe<T>(child: ChildProcess, request: ProbeRequest, type: string): Promise<T> {
  return askProbe(child, request, type, request.type === 'heap-snapshot' ? 600_000 : 60_000);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** least-squares slope of y over x */
function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  const num = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export async function runEmbeddedBench(): Promise<EmbeddedBenchReport> {
  const days = Number(process.env['BENCH_EMBEDDED_DAYS'] ?? 7);
  const speed = Number(process.env['BENCH_EMBEDDED_SPEED'] ?? 600);
  const retentionHours = 24; // the JSON store's default MARKET_LOG_RETENTION_HOURS
  const sampleEverySeconds = Number(process.env['BENCH_EMBEDDED_SAMPLE_SECONDS'] ?? 10);
  /** a directory to write a heap snapshot to at every whole market day (to find what grows) */
  const snapshotDir = process.env['BENCH_EMBEDDED_HEAP_SNAPSHOTS'];
  const dataDir = await mkdtemp(path.join(tmpdir(), 'btc-bench-embedded-'));
  const apiPort = await freePort();
  const dashboardPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}/api/v1`;
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', path.join(here, 'memory-probe.ts'), path.join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      MARKET_DATA_SOURCE: 'simulated',
      SIM_SPEED: String(speed),
      DATA_DIR: dataDir,
      CONFIG_DIR: path.join(root, 'config'),
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      DASHBOARD_PORT: String(dashboardPort),
      DASHBOARD_HOST: '127.0.0.1',
      MARKET_LOG_RETENTION_HOURS: String(retentionHours),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4_000);
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const feedTime = async () => (await getJson<{ status: { lastCandleCloseTime: number | null } | null }>(`${api}/market/feed`))?.status?.lastCandleCloseTime ?? null;
  const samples: EmbeddedSample[] = [];
  const wallStart = Date.now();
  try {
    // up once the API answers and the feed has a candle
    let marketStart: number | null = null;
    while (marketStart === null) {
      if (child.exitCode !== null) throw new Error(`the embedded system exited (${child.exitCode}): ${stderrTail}`);
      if (Date.now() - wallStart > 300_000) throw new Error('the embedded system did not come up within 5 minutes');
      marketStart = await feedTime();
      if (marketStart === null) await new Promise((r) => setTimeout(r, 1_000));
    }
    let snapshotsTaken = 0;
    console.log(`embedded: up after ${((Date.now() - wallStart) / 1000).toFixed(1)} s; running ${days} market days at ×${speed}, sampling every ${sampleEverySeconds} s`);
    for (;;) {
      const feed = await feedTime();
      const statuses = await Promise.all(STRATEGIES.map((id) => getJson<{ lastCandleCloseTime: number | null }>(`${api}/strategies/${id}/status`)));
      // what the dashboard reads every few seconds
      await Promise.all(STRATEGIES.map((id) => getJson(`${api}/strategies/${id}/stats`)));
      const m = await askEmbeddedProbe<MemorySample>(child, { type: 'sample' }, 'memory');
      const strategyTimes = statuses.map((s) => s?.lastCandleCloseTime ?? null);
      // the feed's status is published every few seconds: strategies may be ahead of it
      const marketNow = Math.max(feed ?? marketStart, ...strategyTimes.map((t) => t ?? 0));
      const slowest = strategyTimes.some((t) => t === null) ? null : Math.min(...(strategyTimes as number[]));
      const s: EmbeddedSample = {
        wallSeconds: Math.round((Date.now() - wallStart) / 1000),
        marketDays: Math.round(((marketNow - marketStart) / DAY) * 1000) / 1000,
        strategyLagMinutes: slowest === null ? null : Math.round((marketNow - slowest) / 60_000),
        rssMb: round1(m.rssBytes / MB),
        heapAfterGcMb: round1(m.heapAfterGcBytes / MB),
        heapTotalMb: round1(m.heapTotalBytes / MB),
        externalMb: round1(m.externalBytes / MB),
        gcMs: m.gcMs,
        cpuSeconds: Math.round((m.cpuUserMs + m.cpuSystemMs) / 1000),
        marketLogMb: round1((await sizeOf(path.join(dataDir, 'market_data', 'log'))) / MB),
        strategiesMb: round1((await sizeOf(path.join(dataDir, 'strategies'))) / MB),
      };
      samples.push(s);
      console.log(
        `embedded: market day ${s.marketDays.toFixed(2)}  rss ${s.rssMb} MB  heap after GC ${s.heapAfterGcMb} MB  (total ${s.heapTotalMb}, external ${s.externalMb})  log on disk ${s.marketLogMb} MB  strategies ${s.strategiesMb} MB  lag ${s.strategyLagMinutes ?? '–'} min  wall ${s.wallSeconds} s`,
      );
      if (snapshotDir !== undefined && Math.floor(s.marketDays) > snapshotsTaken) {
        snapshotsTaken = Math.floor(s.marketDays);
        const file = path.join(path.resolve(snapshotDir), `embedded-day-${snapshotsTaken}.heapsnapshot`);
        await mkdir(path.dirname(file), { recursive: true });
        await askEmbeddedProbe(child, { type: 'heap-snapshot', file }, 'heap-snapshot');
        console.log(`embedded: heap snapshot written to ${file}`);
      }
      if (s.marketDays >= days) break;
      if (child.exitCode !== null) throw new Error(`the embedded system exited (${child.exitCode}): ${stderrTail}`);
      await new Promise((r) => setTimeout(r, sampleEverySeconds * 1_000));
    }
  } finally {
    child.disconnect();
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
  // the log holds a full window once the first prune (a tenth past due) has run after it filled
  const windowDays = (retentionHours * 1.1 + 1) / 24;
  const afterWindow = samples.filter((s) => s.marketDays >= windowDays);
  if (afterWindow.length < 2) throw new Error(`the run ended before the first retention window (${windowDays.toFixed(2)} market days) was over`);
  const start = samples[0]!;
  const window = afterWindow[0]!;
  const end = samples[samples.length - 1]!;
  const windowMedian = median(afterWindow.slice(0, 5).map((s) => s.heapAfterGcMb));
  const endMedian = median(afterWindow.slice(-5).map((s) => s.heapAfterGcMb));
  const growthPct = Math.round(((endMedian - windowMedian) / windowMedian) * 1000) / 10;
  const rssMaxMb = Math.max(...samples.map((s) => s.rssMb));
  const report: EmbeddedBenchReport = {
    name: 'embedded-week',
    simSpeed: speed,
    marketDays: end.marketDays,
    retentionHours,
    wallSeconds: end.wallSeconds,
    start,
    afterFirstRetentionWindow: window,
    end,
    rssMaxMb,
    heapAfterGc: {
      windowMedianMb: windowMedian,
      endMedianMb: endMedian,
      maxAfterWindowMb: Math.max(...afterWindow.map((s) => s.heapAfterGcMb)),
      slopeMbPerDay: round1(slope(afterWindow.map((s) => ({ x: s.marketDays, y: s.heapAfterGcMb })))),
      growthPct,
    },
    targets: { rss: `RSS ≤ ${RSS_TARGET_MB} MB`, heap: `heap after GC flat after the first retention window (end ≤ window + ${FLAT_TOLERANCE * 100}%)` },
    met: { rss: rssMaxMb <= RSS_TARGET_MB, heapFlat: growthPct <= FLAT_TOLERANCE * 100 },
    samples,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    at: new Date().toISOString(),
  };
  const line = (label: string, s: EmbeddedSample) => `${label.padEnd(34)} market day ${s.marketDays.toFixed(2)}  rss ${s.rssMb} MB  heap after GC ${s.heapAfterGcMb} MB  market log on disk ${s.marketLogMb} MB`;
  console.log(line('embedded: start', start));
  console.log(line('embedded: after the first window', window));
  console.log(line('embedded: end', end));
  console.log(
    `embedded: rss max ${rssMaxMb} MB (target ≤ ${RSS_TARGET_MB}) ${report.met.rss ? 'MET' : 'NOT MET'}; heap after GC ${windowMedian} → ${endMedian} MB (${growthPct}%, ${report.heapAfterGc.slopeMbPerDay} MB/day; target flat) ${report.met.heapFlat ? 'MET' : 'NOT MET'}`,
  );
  await mkdir(path.join(root, 'reports'), { recursive: true });
  await writeFile(path.join(root, 'reports', 'bench-embedded.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runEmbeddedBench();
}
