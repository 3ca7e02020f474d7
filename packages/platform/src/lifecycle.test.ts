import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { ConfigError } from './errors.js';
import { closeInOrder, EXIT_CONFIG, runService, type ServiceProcess } from './lifecycle.js';
import { waitFor } from './testing/wait-for.js';

class FakeProcess extends EventEmitter implements ServiceProcess {
  exitCode: number | undefined = undefined;
  exits: number[] = [];
  exit(code?: number): void {
    this.exits.push(code ?? 0);
  }
}

const silent = pino({ level: 'silent' });

describe('runService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts, waits for SIGTERM, aborts the signal, closes and sets exitCode 0 without exiting', async () => {
    const proc = new FakeProcess();
    const events: string[] = [];
    let seenSignal: AbortSignal | undefined;
    const done = runService(
      'svc',
      async (signal) => {
        seenSignal = signal;
        events.push('start');
        return { close: async () => void events.push(`close aborted=${String(signal.aborted)}`) };
      },
      { process: proc, logger: silent },
    );
    await waitFor(() => events.includes('start'), { what: 'start' });
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    expect(seenSignal?.aborted).toBe(false);
    proc.emit('SIGTERM');
    await done;
    expect(events).toEqual(['start', 'close aborted=true']);
    expect(proc.exitCode).toBe(0);
    expect(proc.exits).toEqual([]);
    expect(proc.listenerCount('SIGTERM') + proc.listenerCount('SIGINT')).toBe(0);
  });

  it('exits with 78 and a readable message on a ConfigError, without closing anything', async () => {
    const proc = new FakeProcess();
    const lines: string[] = [];
    await runService(
      'svc',
      async () => {
        throw new ConfigError('environment variable REDIS_URL must be a URL');
      },
      { process: proc, logger: silent, writeError: (l) => void lines.push(l) },
    );
    expect(proc.exitCode).toBe(EXIT_CONFIG);
    expect(lines).toEqual(['svc: invalid configuration: environment variable REDIS_URL must be a URL\n']);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });

  it('sets exitCode 1 when start fails otherwise, and when close fails', async () => {
    const failingStart = new FakeProcess();
    await runService('svc', async () => Promise.reject(new Error('boom')), { process: failingStart, logger: silent });
    expect(failingStart.exitCode).toBe(1);

    const failingClose = new FakeProcess();
    let started = false;
    const done = runService(
      'svc',
      async () => {
        started = true;
        return { close: () => Promise.reject(new Error('close failed')) };
      },
      { process: failingClose, logger: silent },
    );
    await waitFor(() => started, { what: 'start' });
    failingClose.emit('SIGINT');
    await done;
    expect(failingClose.exitCode).toBe(1);
  });

  it('closes after start finishes when the signal arrives during start', async () => {
    const proc = new FakeProcess();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let closed = false;
    const done = runService(
      'svc',
      async (signal) => {
        await gate;
        expect(signal.aborted).toBe(true);
        return { close: async () => void (closed = true) };
      },
      { process: proc, logger: silent },
    );
    proc.emit('SIGINT');
    release();
    await done;
    expect(closed).toBe(true);
    expect(proc.exitCode).toBe(0);
  });

  it('forces exit when close hangs past the force-exit time, and on a second signal', async () => {
    vi.useFakeTimers();
    const proc = new FakeProcess();
    let started = false;
    void runService(
      'svc',
      async () => {
        started = true;
        return { close: () => new Promise<void>(() => undefined) };
      },
      { process: proc, logger: silent, forceExitMs: 10_000 },
    );
    await vi.waitFor(() => expect(started).toBe(true));
    await Promise.resolve();
    proc.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(9_999);
    expect(proc.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(proc.exits).toEqual([1]);
    proc.emit('SIGTERM');
    expect(proc.exits).toEqual([1, 1]);
  });
});

describe('closeInOrder', () => {
  it('closes in order, continues past failures and reports them', async () => {
    const order: string[] = [];
    const ok = (n: string) => ({ close: async () => void order.push(n) });
    const bad = (n: string) => ({
      close: async () => {
        order.push(n);
        throw new Error(n);
      },
    });
    await closeInOrder([ok('service'), ok('bus'), ok('store')]);
    expect(order).toEqual(['service', 'bus', 'store']);
    order.length = 0;
    await expect(closeInOrder([bad('service'), ok('bus'), bad('store')])).rejects.toBeInstanceOf(AggregateError);
    expect(order).toEqual(['service', 'bus', 'store']);
  });
});
