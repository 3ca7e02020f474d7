/**
 * Runs async tasks one after another, in the order they were queued. A task that fails rejects
 * only its own promise; the tasks queued after it still run.
 */
export class SerialQueue {
  private last: Promise<void> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.last.then(task);
    this.last = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Settles once every task queued so far has settled (never rejects). */
  idle(): Promise<void> {
    return this.last;
  }
}
