import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@btc-research/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BinanceRestClient, abortableSleep } from './rest-client.js';

let server: http.Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** a REST host answering 500 to the first `failures` requests, then {} */
async function flakyHost(failures: number): Promise<string> {
  let n = 0;
  server = http.createServer((_req, res) => {
    n += 1;
    res.writeHead(n <= failures ? 500 : 200, { 'content-type': 'application/json' });
    res.end(n <= failures ? '{"code":-1000,"msg":"unknown"}' : '{}');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('BinanceRestClient waits', () => {
  it('leaves no abort listener behind after its retry waits (no MaxListenersExceededWarning in long fault runs)', async () => {
    const abort = new AbortController();
    const client = new BinanceRestClient({ baseUrl: await flakyHost(15), logger: createLogger('t', { level: 'silent' }), signal: abort.signal, baseDelayMs: 2, maxDelayMs: 4, maxAttempts: 20 });
    await expect(client.getJson('/api/v3/ping')).resolves.toEqual({});
    expect(client.counters.serverErrors).toBe(15);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('a wait ends early when the signal aborts', async () => {
    const abort = new AbortController();
    const t0 = Date.now();
    const wait = abortableSleep(10_000, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    abort.abort();
    await wait;
    expect(Date.now() - t0).toBeLessThan(1_000);
    await abortableSleep(5, abort.signal); // already aborted: returns at once
  });
});
