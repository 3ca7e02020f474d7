/**
 * Preloaded (`node --expose-gc --import tsx --import ./memory-probe.ts scripts/start.ts`) into the
 * process the embedded bench measures. Over the IPC channel the bench asks for a sample: a full
 * garbage collection, then the heap that survived it (the live set) and the process's RSS. It can
 * also write a heap snapshot, to find what the live set is made of.
 */
import v8 from 'node:v8';

export interface MemorySample {
  type: 'memory';
  /** heap in use after a full GC: what the process really keeps */
  heapAfterGcBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** old space after the GC, where long-lived data ends up */
  oldSpaceBytes: number;
  gcMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export type ProbeRequest = { type: 'sample' } | { type: 'heap-snapshot'; file: string };

const gc = (globalThis as { gc?: () => void }).gc;

function sample(): MemorySample {
  if (gc === undefined) throw new Error('the memory probe needs node --expose-gc');
  const t0 = performance.now();
  gc();
  const gcMs = performance.now() - t0;
  const mem = process.memoryUsage();
  const old = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
  const cpu = process.cpuUsage();
  return {
    type: 'memory',
    heapAfterGcBytes: mem.heapUsed,
    heapTotalBytes: mem.heapTotal,
    rssBytes: mem.rss,
    externalBytes: mem.external,
    arrayBuffersBytes: mem.arrayBuffers,
    oldSpaceBytes: old?.space_used_size ?? 0,
    gcMs: Math.round(gcMs),
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
  };
}

if (process.send !== undefined) {
  process.on('message', (message: ProbeRequest) => {
    if (message.type === 'sample') process.send?.(sample());
    else if (message.type === 'heap-snapshot') {
      gc?.();
      process.send?.({ type: 'heap-snapshot', file: v8.writeHeapSnapshot(message.file) });
    }
  });
  // the IPC channel must not keep the process alive once the system has shut down
  process.channel?.unref();
}
