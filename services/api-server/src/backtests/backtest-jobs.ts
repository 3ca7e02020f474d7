import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BacktestJobResponse, BacktestReportDto, BacktestStatusValue } from '@btc-research/contracts';
import { parseKlineCsv, type Candle } from '@btc-research/engine';
import type { MarketEventRecord, StrategyStore } from '@btc-research/platform';
import type { FastifyBaseLogger } from 'fastify';
import type { BacktestProcessMessage } from './backtest-process.js';
import type { BacktestTask } from './backtest-task.js';

/** What a job runs: a config, where its inputs come from, and its window. */
export interface BacktestSpec {
  yaml: string;
  configName: string;
  strategyId: string | null;
  source: 'market-log' | 'file';
  symbol: string;
  file: string | null;
  from: number | null;
  to: number | null;
  /** minutes of inputs before `from` the indicators need */
  warmupMinutes: number;
}

interface Job {
  id: string;
  spec: BacktestSpec;
  status: BacktestStatusValue;
  progress: number;
  createdAt: number;
  finishedAt: number | null;
  error: string | null;
  report: BacktestReportDto | null;
  child: ChildProcess | null;
}

export interface BacktestJobsOptions {
  store: StrategyStore;
  /** where source "file" CSVs are read from */
  dataDir: string;
  /** jobs running at once (BACKTEST_CONCURRENCY) */
  concurrency: number;
  now: () => number;
  log: FastifyBaseLogger;
  /** finished jobs kept for GET (oldest forgotten first) */
  keep?: number;
  /** inputs a market-log backtest may read (a bound on the memory one job takes) */
  maxInputs?: number;
}

const PROCESS_ENTRY = resolve(import.meta.dirname, 'backtest-process.ts');
const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
const PAGE = 5_000;

/**
 * Backtest jobs: queued, run each in a child process (never on the API's event loop or the trading
 * path) with at most `concurrency` at once, cancellable (the process is killed), kept in memory.
 */
export class BacktestJobs {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private isClosed = false;

  constructor(private readonly options: BacktestJobsOptions) {}

  create(spec: BacktestSpec): string {
    const id = `bt-${randomBytes(6).toString('hex')}`;
    this.jobs.set(id, { id, spec, status: 'queued', progress: 0, createdAt: this.options.now(), finishedAt: null, error: null, report: null, child: null });
    this.queue.push(this.jobs.get(id)!);
    this.forgetOld();
    this.pump();
    return id;
  }

  get(id: string): BacktestJobResponse | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    const { spec } = job;
    return {
      id,
      status: job.status,
      progress: job.progress,
      configName: spec.configName,
      strategyId: spec.strategyId,
      source: spec.source,
      symbol: spec.symbol,
      from: spec.from,
      to: spec.to,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      error: job.error,
      report: job.report,
    };
  }

  /** Cancels a queued or running job; false when it had finished already. */
  cancel(id: string): boolean | null {
    const job = this.jobs.get(id);
    if (!job) return null;
    if (job.status !== 'queued' && job.status !== 'running') return false;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.finish(job, 'cancelled', 'cancelled on request');
    job.child?.kill('SIGKILL');
    return true;
  }

  close(): void {
    this.isClosed = true;
    for (const job of this.jobs.values()) if (job.status === 'queued' || job.status === 'running') this.cancel(job.id);
  }

  private pump(): void {
    while (!this.isClosed && this.running < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running += 1;
      void this.run(job).finally(() => {
        this.running -= 1;
        this.pump();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    job.status = 'running';
    try {
      const task = await this.taskOf(job.spec);
      if (job.status !== 'running') return; // cancelled while loading
      await this.inChild(job, task);
    } catch (err) {
      if (job.status === 'running') this.finish(job, 'failed', (err as Error).message);
    }
  }

  private finish(job: Job, status: BacktestStatusValue, error: string | null, report: BacktestReportDto | null = null): void {
    if (job.status !== 'queued' && job.status !== 'running') return;
    job.status = status;
    job.error = error;
    job.report = report;
    job.finishedAt = this.options.now();
    if (status === 'done') job.progress = 1;
    this.options.log.info({ backtestId: job.id, status, error, configName: job.spec.configName, ms: job.finishedAt - job.createdAt }, 'backtest finished');
  }

  private inChild(job: Job, task: BacktestTask): Promise<void> {
    return new Promise((settle) => {
      const child = fork(PROCESS_ENTRY, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      job.child = child;
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
      child.on('message', (m: BacktestProcessMessage) => {
        if (m.type === 'progress') job.progress = Math.max(job.progress, Math.min(0.99, m.share));
        else if (m.type === 'done') this.finish(job, 'done', null, m.report as BacktestReportDto);
        else this.finish(job, 'failed', m.error);
      });
      child.once('exit', (code, signal) => {
        job.child = null;
        this.finish(job, 'failed', `the backtest process ended (${signal ?? `exit ${code}`}) without a result${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
        settle();
      });
      child.send(task);
    });
  }

  /** The inputs of the job's window: market-log records or a CSV's candles, with the warm-up before `from`. */
  private async taskOf(spec: BacktestSpec): Promise<BacktestTask> {
    const start = spec.from === null ? Number.NEGATIVE_INFINITY : spec.from - spec.warmupMinutes * 60_000;
    const end = spec.to ?? Number.POSITIVE_INFINITY;
    const base = { yaml: spec.yaml, configName: spec.configName, from: spec.from };
    if (spec.source === 'file') {
      const path = join(this.options.dataDir, spec.file ?? '');
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new Error(`cannot read ${spec.file} in the backtest data directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
      }
      const candles: Candle[] = parseKlineCsv(text).filter((c) => c.openTime >= start && c.closeTime <= end);
      return { ...base, candles };
    }
    const max = this.options.maxInputs ?? 2_000_000;
    const records: MarketEventRecord[] = [];
    for (let after = 0; ; ) {
      const page = await this.options.store.listMarketEvents(spec.symbol, after, PAGE);
      if (page.length === 0) break;
      for (const r of page) if (r.time >= start && r.time < end) records.push(r);
      if (records.length > max) throw new Error(`the window holds more than ${max} market inputs; choose a shorter one`);
      after = page[page.length - 1]!.seq;
      if (page[page.length - 1]!.time >= end) break;
    }
    return { ...base, records };
  }

  private forgetOld(): void {
    const keep = this.options.keep ?? 50;
    for (const job of this.jobs.values()) {
      if (this.jobs.size <= keep) return;
      if (job.status !== 'queued' && job.status !== 'running') this.jobs.delete(job.id);
    }
  }
}
