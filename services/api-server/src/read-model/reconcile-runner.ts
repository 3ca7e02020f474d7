import { Worker } from 'node:worker_threads';
import type { ReconcileInput, ReconcileResult } from '@btc-research/engine';

/** Reconciliations computed at the same time at most; later requests wait their turn. */
const MAX_CONCURRENT = 2;

let running = 0;
const waiting: Array<() => void> = [];

/**
 * Runs a reconciliation (CPU-bound: nine replays of the recorded market) on a worker thread, so the
 * API keeps answering while it runs: seconds for a day of simulated ticks, longer for a busy real
 * market. At most MAX_CONCURRENT at once.
 */
export async function reconcileOffThread(input: ReconcileInput): Promise<ReconcileResult> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await inWorker(input);
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

function inWorker(input: ReconcileInput): Promise<ReconcileResult> {
  const entry = new URL('./reconcile-worker' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);
  // run from TypeScript sources (tsx): a worker's entry does not get the parent's loader hooks, so it registers tsx first
  const worker = entry.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true })
    : new Worker(entry);
  return new Promise<ReconcileResult>((resolve, reject) => {
    worker.once('message', (m: { ok: true; result: ReconcileResult } | { ok: false; message: string }) => {
      if (m.ok) resolve(m.result);
      else reject(new Error(`reconciliation failed: ${m.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`reconciliation worker exited (${code}) without an answer`)));
    worker.postMessage(input);
  }).finally(() => void worker.terminate());
}
