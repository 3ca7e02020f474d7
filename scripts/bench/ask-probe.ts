/** The bench side of memory-probe.ts: one request at a time over a child's IPC channel. */
import type { ChildProcess } from 'node:child_process';
import type { ProbeRequest } from './memory-probe.js';

export function askProbe<T>(child: ChildProcess, request: ProbeRequest, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the memory probe did not answer ${request.type} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onMessage = (m: { type?: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}
