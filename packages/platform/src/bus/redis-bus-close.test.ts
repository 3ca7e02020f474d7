/**
 * A bus that gives up on an unreachable Redis must not keep its process alive: a service whose
 * start failed exits as soon as it has closed what it opened. ioredis's disconnect() used to leave
 * a 2 s timer behind when it was called while waiting to reconnect (see redis-client-options.ts).
 * A real process against a real closed port; the script measures from giving up to its exit.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/free-port.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'open-bus-unreachable.ts');
/** what ioredis's default disconnect timer held it for is 2,000 ms; the bus's own is 200 ms */
const LINGER_LIMIT_MS = 1_500;

describe('a Redis bus that gives up on an unreachable Redis', () => {
  it('lets its process exit at once once it has given up', async () => {
    const port = await freePort(); // nothing listens on it
    const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, `redis://127.0.0.1:${port}/0`, '1500'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { gaveUp?: boolean; lingeredMs?: number };
    expect(report.gaveUp).toBe(true);
    expect(report.lingeredMs).toBeLessThan(LINGER_LIMIT_MS);
  }, 90_000);
});
