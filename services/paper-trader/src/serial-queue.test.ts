import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

/** A promise and the functions that settle it. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (err: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SerialQueue', () => {
  it('runs tasks one at a time in the order they were queued, even when an earlier one takes longer', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const slow = deferred();
    const first = queue.run(async () => {
      log.push('first started');
      await slow.promise;
      log.push('first done');
      return 1;
    });
    const second = queue.run(async () => {
      log.push('second started');
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(['first started']);
    slow.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first started', 'first done', 'second started']);
  });

  it('a failing task rejects only its own promise; the tasks after it still run', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(async () => {
      throw new Error('boom');
    });
    const after = queue.run(async () => 'still ran');
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('still ran');
  });

  it('idle() settles once everything queued so far has settled, and never rejects', async () => {
    const queue = new SerialQueue();
    const gate = deferred();
    let finished = false;
    void queue.run(() => gate.promise).catch(() => undefined);
    void queue.run(async () => {
      finished = true;
    });
    const idle = queue.idle();
    gate.reject(new Error('task failed'));
    await expect(idle).resolves.toBeUndefined();
    expect(finished).toBe(true);
  });
});
