import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { ConfigError } from './errors.js';
import { closeInOrder, EXIT_CONFIG, runService, SERVICE_STARTED_MESSAGE, type ServiceProcess } from './lifecycle.js';
import { waitFor } from './testing/wait-for.js';

class FakeProcess extends EventEmitter implements ServiceProcess {
  exitCode: number | undefined = undefined;
  exits: number[] = [];
  sent: unknown[] = [];
  connected = false;
  exit(code?: number): void {
    this.exits.push(code ?? 0);
  }
  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
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
    // the same Ctrl-C relayed by the supervisor after a fast close is still the same request:
    // it must not kill the exiting process (Node's default action would, with status 143)
    proc.emit('SIGINT');
    expect(proc.exits).toEqual([]);
    expect(proc.exitCode).toBe(0);
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

describe('runService: resources, failed starts and repeated signals', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const resource = (name: string, log: string[]) => ({ close: async () => void log.push(`close ${name}`) });

  it('closes what start opened, last first, when start fails later on, and exits 1', async () => {
    const proc = new FakeProcess();
    const log: string[] = [];
    const lines: string[] = [];
    await runService(
      'svc',
      async (_signal, own) => {
        own(resource('bus', log));
        own(resource('store', log));
        throw Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8000'), { code: 'EADDRINUSE' });
      },
      { process: proc, logger: silent, writeError: (l) => void lines.push(l) },
    );
    expect(log).toEqual(['close store', 'close bus']);
    expect(proc.exitCode).toBe(1);
    expect(lines).toEqual(['svc: failed to start: listen EADDRINUSE: address already in use 127.0.0.1:8000\n']);
    expect(proc.sent).toEqual([]);
  });

  it('after a failed start, exits anyway when something still holds the event loop', async () => {
    vi.useFakeTimers();
    const proc = new FakeProcess();
    await runService('svc', async () => Promise.reject(new ConfigError('API_PORT must be a port')), { process: proc, logger: silent, writeError: () => undefined, failedStartExitMs: 2_000 });
    expect(proc.exitCode).toBe(EXIT_CONFIG);
    expect(proc.exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(proc.exits).toEqual([EXIT_CONFIG]);
  });

  it('closes the service, then what it owns, on shutdown; tells a supervising parent when it has started', async () => {
    const proc = new FakeProcess();
    proc.connected = true;
    const log: string[] = [];
    const done = runService(
      'svc',
      async (_signal, own) => {
        own(resource('bus', log));
        own(resource('store', log));
        return resource('service', log);
      },
      { process: proc, logger: silent },
    );
    await waitFor(() => proc.sent.length > 0, { what: 'started message' });
    expect(proc.sent).toEqual([{ type: SERVICE_STARTED_MESSAGE, service: 'svc' }]);
    proc.emit('SIGINT');
    await done;
    expect(log).toEqual(['close service', 'close store', 'close bus']);
    expect(proc.exitCode).toBe(0);
  });

  it('ignores the same Ctrl-C arriving twice (terminal and parent), and stops once with exit 0', async () => {
    const proc = new FakeProcess();
    let t = 1_000;
    let release!: () => void;
    const closing = new Promise<void>((r) => (release = r));
    let closes = 0;
    let started = false;
    const done = runService(
      'svc',
      async () => {
        started = true;
        return {
          close: async () => {
            closes += 1;
            await closing;
          },
        };
      },
      { process: proc, logger: silent, now: () => t, duplicateSignalMs: 3_000 },
    );
    await waitFor(() => started, { what: 'start' });
    proc.emit('SIGINT');
    t += 50;
    proc.emit('SIGTERM'); // the supervisor relaying it
    t += 2_000;
    proc.emit('SIGINT'); // pnpm or tsx relaying it
    expect(proc.exits).toEqual([]);
    release();
    await done;
    expect(closes).toBe(1);
    expect(proc.exitCode).toBe(0);
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
