/**
 * The child process one backtest runs in (off the API's event loop and the trading path): receives
 * a BacktestTask over IPC, answers progress, then the report or the failure, and exits.
 */
import { runBacktestTask, type BacktestTask } from './backtest-task.js';

export type BacktestProcessMessage = { type: 'progress'; share: number } | { type: 'done'; report: unknown } | { type: 'failed'; error: string };

function send(message: BacktestProcessMessage): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, undefined, () => resolve()));
}

process.once('message', (task: BacktestTask) => {
  void (async () => {
    try {
      const report = runBacktestTask(task, (share) => void process.send!({ type: 'progress', share } satisfies BacktestProcessMessage));
      await send({ type: 'done', report });
    } catch (err) {
      await send({ type: 'failed', error: (err as Error).message });
    }
    process.disconnect();
  })();
});
