/**
 * API latency bench (issue 6): p99 of GET /api/v1/strategies/{id}/stats at a fixed 1,000 requests/s
 * on loopback (autocannon), beside a bare Fastify route measured in the same run, in interleaved
 * 3-second rounds (figures are medians over the rounds; every round is in the report). Target: p99 ≤ 10 ms.
 * The servers run in a child process (stats-server.ts) so autocannon does not share their event loop.
 * Prints the figures and writes reports/bench-api.json. Alone: `tsx services/api-server/bench/stats.bench.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { DEFAULT_DEV_API_KEY } from '../src/auth/auth-config.js';
import { STRATEGY_ID, type BenchServerInfo } from './bench-shared.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const TARGET_P99_MS = 10;

export interface RoundFigures {
  requests: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

export interface LatencyFigures {
  rateTarget: number;
  durationSeconds: number;
  requests: number;
  achievedRps: number;
  non2xx: number;
  errors: number;
  /** medians over the rounds (p99 = the median round's p99); max = the worst round's max */
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  rounds: RoundFigures[];
}

export interface ApiBenchResult {
  name: 'api-stats-latency';
  target: string;
  met: boolean;
  stats: LatencyFigures;
  statsUncached: LatencyFigures;
  bareFastify: LatencyFigures;
  trades: number;
  equityPoints: number;
  /** equity events published while the servers ran; each dropped the cached stats */
  cacheInvalidations: number | null;
  loadAverage: number[];
  node: string;
  at: string;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

function summarise(rate: number, durationSeconds: number, rounds: RoundFigures[]): LatencyFigures {
  const requests = rounds.reduce((a, r) => a + r.requests, 0);
  return {
    rateTarget: rate,
    durationSeconds,
    requests,
    achievedRps: Math.round(requests / durationSeconds),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    latencyMs: {
      p50: median(rounds.map((r) => r.latencyMs.p50)),
      p90: median(rounds.map((r) => r.latencyMs.p90)),
      p99: median(rounds.map((r) => r.latencyMs.p99)),
      max: Math.max(...rounds.map((r) => r.latencyMs.max)),
    },
    rounds,
  };
}

async function round(url: string, rate: number, seconds: number, headers: Record<string, string>): Promise<RoundFigures> {
  const r = await autocannon({ url, connections: 10, overallRate: rate, duration: seconds, headers });
  return { requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts, latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max } };
}

/**
 * Measures the targets in interleaved rounds (bare, stats, bare, stats, …) so both see the same
 * machine; the machine is shared (2 cores), so each figure is the median of the rounds' percentiles.
 */
async function measureInterleaved(
  targets: readonly { url: string; rate: number; headers: Record<string, string> }[],
  rounds: number,
  secondsPerRound: number,
): Promise<RoundFigures[][]> {
  const out: RoundFigures[][] = targets.map(() => []);
  // warm-up (JIT, caches), not reported
  for (const t of targets) await autocannon({ url: t.url, connections: 10, overallRate: t.rate, duration: 2, headers: t.headers });
  for (let i = 0; i < rounds; i++) {
    for (const [k, t] of targets.entries()) out[k]?.push(await round(t.url, t.rate, secondsPerRound, t.headers));
  }
  return out;
}

export async function runApiBench(options: { rate?: number; durationSeconds?: number; trades?: number; equityPoints?: number } = {}): Promise<ApiBenchResult> {
  const rate = options.rate ?? 1_000;
  const durationSeconds = options.durationSeconds ?? 15;
  const secondsPerRound = 3;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'stats-server.ts')], {
    cwd: root,
    env: { ...process.env, BENCH_TRADES: String(options.trades ?? 2_000), BENCH_EQUITY_POINTS: String(options.equityPoints ?? 10_000) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const first = await iterator.next();
    if (first.done) throw new Error('the bench server exited before it listened');
    const info = JSON.parse(first.value) as BenchServerInfo;
    const headers = { 'x-api-key': DEFAULT_DEV_API_KEY };
    const rounds = Math.max(1, Math.round(durationSeconds / secondsPerRound));
    const uncachedRate = Math.min(rate, 200);
    const [bareRounds = [], statsRounds = [], uncachedRounds = []] = await measureInterleaved(
      [
        { url: `${info.bareUrl}/stats`, rate, headers: {} },
        { url: `${info.apiUrl}/api/v1/strategies/${STRATEGY_ID}/stats`, rate, headers },
        { url: `${info.uncachedUrl}/api/v1/strategies/${STRATEGY_ID}/stats`, rate: uncachedRate, headers },
      ],
      rounds,
      secondsPerRound,
    );
    const bareFastify = summarise(rate, rounds * secondsPerRound, bareRounds);
    const stats = summarise(rate, rounds * secondsPerRound, statsRounds);
    const statsUncached = summarise(uncachedRate, rounds * secondsPerRound, uncachedRounds);
    child.kill('SIGTERM');
    const last = await iterator.next();
    const cacheInvalidations = last.done ? null : ((JSON.parse(last.value) as { cacheInvalidations?: number }).cacheInvalidations ?? null);
    const { loadavg } = await import('node:os');
    const result: ApiBenchResult = {
      name: 'api-stats-latency',
      target: `GET /api/v1/strategies/{id}/stats p99 ≤ ${TARGET_P99_MS} ms at ${rate} req/s`,
      met: stats.latencyMs.p99 <= TARGET_P99_MS && stats.non2xx === 0 && stats.errors === 0,
      stats,
      statsUncached,
      bareFastify,
      trades: info.trades,
      equityPoints: info.equityPoints,
      cacheInvalidations,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
      node: process.version,
      at: new Date().toISOString(),
    };
    const line = (label: string, f: LatencyFigures): string =>
      `${label.padEnd(42)} ${String(f.achievedRps).padStart(5)} req/s  p50 ${f.latencyMs.p50} ms  p90 ${f.latencyMs.p90} ms  p99 ${f.latencyMs.p99} ms (rounds: ${f.rounds.map((r) => r.latencyMs.p99).join(', ')})  max ${f.latencyMs.max} ms  non2xx ${f.non2xx}  errors ${f.errors}`;
    console.log(line('bare Fastify route', bareFastify));
    console.log(line('GET /strategies/{id}/stats (live events)', stats));
    console.log(line('GET /strategies/{id}/stats, cache off', statsUncached));
    console.log(`api stats p99 ${stats.latencyMs.p99} ms (target ≤ ${TARGET_P99_MS} ms at ${rate} req/s) ${result.met ? 'MET' : 'NOT MET'}; bare route p99 ${bareFastify.latencyMs.p99} ms; load average ${result.loadAverage.join(' ')}`);
    await mkdir(path.join(root, 'reports'), { recursive: true });
    await writeFile(path.join(root, 'reports', 'bench-api.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    lines.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runApiBench();
}
