import { parentPort } from 'node:worker_threads';
import { reconcileStrategy, type ReconcileInput } from '@btc-research/engine';

// The worker thread of reconcile-runner.ts: one reconciliation per message, answered with its result.
parentPort?.on('message', (input: ReconcileInput) => {
  try {
    parentPort!.postMessage({ ok: true, result: reconcileStrategy(input) });
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: (err as Error).message });
  }
});
