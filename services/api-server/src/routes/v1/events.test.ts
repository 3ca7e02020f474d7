import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { JsonStrategyStore, RedisBus, waitFor } from '@btc-research/platform';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle } from '../../service.js';
import { devAuth, feedStatus, fill, flushRedisDb, publishFeed, publishFill, publishStatus, redisUrlFor, RedisDb, testLogger, testServerDeps } from '../../test-support/harness.js';
import { SseClient } from '../../test-support/sse-client.js';

const REDIS_URL = redisUrlFor(RedisDb.events);
let server: ApiServerHandle;
let bus: RedisBus;
let store: JsonStrategyStore;
let dataDir: string;

beforeAll(async () => {
  await flushRedisDb(REDIS_URL);
  dataDir = await mkdtemp(join(tmpdir(), 'api-events-'));
  bus = new RedisBus({ redisUrl: REDIS_URL, logger: testLogger });
  store = new JsonStrategyStore({ dataDir });
  await publishFeed(bus, feedStatus({ state: 'connecting' }));
  server = await listen({ auth: devAuth({ isReadOpen: false }) });
});

/** An api-server on a free port over this file's bus and store. */
function listen(overrides: Partial<Parameters<typeof startApiServer>[0]> = {}): Promise<ApiServerHandle> {
  return startApiServer(testServerDeps({ bus, store, configDir: dataDir }, overrides));
}
afterAll(async () => {
  await server.close();
  await bus.close();
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('GET /api/v1/events (Server-Sent Events)', () => {
  it('streams the feed snapshot, then fills, status and feed events from the bus', async () => {
    const sse = await SseClient.open(`${server.url}/api/v1/events?strategyId=sse-one`, { 'x-api-key': 'btc-research-dev-key' });
    try {
      expect(sse.response?.statusCode).toBe(200);
      expect(sse.response?.headers['content-type']).toContain('text/event-stream');
      const snapshot = await waitFor(() => sse.events.find((e) => e.event === 'feed-snapshot'), { what: 'feed snapshot' });
      expect(JSON.parse(snapshot.data)).toMatchObject({ available: true, isSimulated: true, status: { state: 'connecting' } });

      await publishFill(bus, fill('other-strategy', 1));
      await publishFill(bus, fill('sse-one', 2));
      await publishStatus(bus, 'sse-one', 'running');
      await publishFeed(bus, feedStatus({ state: 'live' }));

      await waitFor(() => sse.events.filter((e) => ['fill', 'status', 'feed'].includes(e.event)).length >= 3, { what: 'three live events' });
      const fills = sse.events.filter((e) => e.event === 'fill').map((e) => JSON.parse(e.data));
      expect(fills).toHaveLength(1);
      expect(fills[0]).toMatchObject({ kind: 'fill', strategyId: 'sse-one', type: 'strategy.order.filled', payload: { tradeId: 't-2' } });
      const status = sse.events.find((e) => e.event === 'status');
      expect(JSON.parse(status?.data ?? '{}')).toMatchObject({ payload: { status: 'running' } });
      expect(status?.id).toMatch(/^exec:evt\|\d+-\d+$/);
      const feed = sse.events.find((e) => e.event === 'feed');
      expect(JSON.parse(feed?.data ?? '{}')).toMatchObject({ payload: { state: 'live', isSimulated: true } });
    } finally {
      sse.close();
    }
  });

  it('replays events after Last-Event-ID', async () => {
    const first = await SseClient.open(`${server.url}/api/v1/events?types=fill&strategyId=replay-one`, { 'x-api-key': 'btc-research-dev-key' });
    await publishFill(bus, fill('replay-one', 1));
    const firstFill = await waitFor(() => first.events.find((e) => e.event === 'fill'), { what: 'first fill' });
    first.close();
    await publishFill(bus, fill('replay-one', 2));
    await publishFill(bus, fill('replay-one', 3));
    const second = await SseClient.open(`${server.url}/api/v1/events?types=fill&strategyId=replay-one`, {
      'x-api-key': 'btc-research-dev-key',
      'last-event-id': firstFill.id ?? '',
    });
    try {
      const replayed = await waitFor(() => {
        const ids = second.events.filter((e) => e.event === 'fill').map((e) => JSON.parse(e.data).payload.tradeId as string);
        return ids.length >= 2 ? ids : null;
      }, { what: 'replayed fills' });
      expect(replayed).toEqual(['t-2', 't-3']);
    } finally {
      second.close();
    }
  });

  it('accepts the key as a query parameter (EventSource cannot set headers) and refuses without one', async () => {
    const withQuery = await SseClient.open(`${server.url}/api/v1/events?api_key=btc-research-dev-key`);
    expect(withQuery.response?.statusCode).toBe(200);
    withQuery.close();
    const without = await SseClient.open(`${server.url}/api/v1/events`);
    expect(without.response?.statusCode).toBe(401);
    without.close();
    const badType = await SseClient.open(`${server.url}/api/v1/events?types=fill,bogus`, { 'x-api-key': 'btc-research-dev-key' });
    expect(badType.response?.statusCode).toBe(400);
    badType.close();
  });
});

describe('GET /api/v1/events/ws (WebSocket)', () => {
  it('sends the feed snapshot, then the strategy events as JSON messages', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/events/ws?strategyId=ws-one&types=fill,equity,status,feed`, {
      headers: { 'x-api-key': 'btc-research-dev-key' },
    });
    const messages: { kind: string; payload?: { tradeId?: string; status?: string } }[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    try {
      await waitFor(() => messages.find((m) => m.kind === 'feed-snapshot'), { what: 'ws feed snapshot' });
      await publishFill(bus, fill('ws-one', 4));
      await publishStatus(bus, 'ws-one', 'stopped');
      await waitFor(() => messages.some((m) => m.kind === 'status'), { what: 'ws status event' });
      expect(messages.find((m) => m.kind === 'fill')?.payload?.tradeId).toBe('t-4');
      expect(messages.find((m) => m.kind === 'status')?.payload?.status).toBe('stopped');
    } finally {
      ws.close();
    }
  });

  it('answers a plain HTTP GET with 426 UPGRADE_REQUIRED', async () => {
    const res = await fetch(`${server.url}/api/v1/events/ws`, { headers: { 'x-api-key': 'btc-research-dev-key' } });
    expect(res.status).toBe(426);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UPGRADE_REQUIRED');
  });

  it('refuses the upgrade without credentials when reads are closed', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/events/ws`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    ws.terminate();
    expect(status).toBe(401);
  });
});

describe('live connections per client', () => {
  it('caps concurrent SSE and WebSocket connections per client with 429, and frees the slot on close', async () => {
    const capped = await listen({ maxLiveConnectionsPerClient: 2 });
    const key = { 'x-api-key': 'btc-research-dev-key' };
    const first = await SseClient.open(`${capped.url}/api/v1/events`, key);
    const ws = new WebSocket(`${capped.url.replace('http', 'ws')}/api/v1/events/ws`, { headers: key });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const third = await SseClient.open(`${capped.url}/api/v1/events`, key);
      expect(third.response?.statusCode).toBe(429);
      third.close();
      const wsRefused = await new Promise<number>((resolve) => {
        const w = new WebSocket(`${capped.url.replace('http', 'ws')}/api/v1/events/ws`, { headers: key });
        w.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        w.on('open', () => resolve(101));
        w.on('error', () => undefined);
      });
      expect(wsRefused).toBe(429);
      // another client is not affected
      const other = await SseClient.open(`${capped.url}/api/v1/events`);
      expect(other.response?.statusCode).toBe(200);
      other.close();
      first.close();
      const again = await waitFor(async () => {
        const c = await SseClient.open(`${capped.url}/api/v1/events`, key);
        if (c.response?.statusCode === 200) return c;
        c.close();
        return null;
      }, { what: 'a freed slot' });
      again.close();
    } finally {
      first.close();
      ws.close();
      await capped.close();
    }
  });
});

/** Sends one raw HTTP request over a fresh TCP connection and resolves with the status line's code (0 when the server just closed). */
function rawRequest(url: string, head: string, options: { hangUpEarly?: boolean } = {}): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(head);
      if (options.hangUpEarly) socket.destroy();
    });
    let data = '';
    // a server that never answers shows as status -1 instead of a hung test
    socket.setTimeout(5_000, () => {
      data = 'HTTP/1.1 -1';
      socket.destroy();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (-1|\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', (error) => (options.hangUpEarly ? undefined : reject(error)));
  });
}

describe('failed WebSocket upgrades', () => {
  it('never use up a client\'s live-event slots: after 1,000 of them a real WebSocket and an SSE stream still open', async () => {
    const server2 = await listen({ rateLimit: { max: 100_000, timeWindowMs: 60_000 } });
    const key = 'x-api-key: btc-research-dev-key\r\n';
    const path = '/api/v1/events/ws';
    // the probe's request and its relatives: an Upgrade header without Connection: upgrade (426), a
    // handshake without a key or with an unsupported version (refused by the WebSocket server), and a
    // client that hangs up in the middle of its handshake
    const kinds = [
      { head: `GET ${path} HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\n${key}connection: close\r\n\r\n`, expected: [426] },
      { head: `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n${key}\r\n`, expected: [400] },
      { head: `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 7\r\n${key}\r\n`, expected: [400, 426] },
      { head: `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n${key}`, expected: [0], hangUpEarly: true },
    ];
    const seen = new Map<number, number>();
    try {
      for (let i = 0; i < 1_000; i += 20) {
        const statuses = await Promise.all(
          Array.from({ length: 20 }, async (_, j) => {
            const kind = kinds[(i + j) % kinds.length]!;
            const status = await rawRequest(server2.url, kind.head, { hangUpEarly: kind.hangUpEarly ?? false });
            expect(kind.expected).toContain(status);
            return status;
          }),
        );
        for (const s of statuses) seen.set(s, (seen.get(s) ?? 0) + 1);
      }
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(1_000);
      expect(seen.get(426)).toBeGreaterThan(0);
      expect(seen.get(400)).toBeGreaterThan(0);

      const ws = new WebSocket(`${server2.url.replace('http', 'ws')}${path}`, { headers: { 'x-api-key': 'btc-research-dev-key' } });
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data) => resolve(String(data)));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused with ${res.statusCode}`)));
        ws.once('error', reject);
      });
      expect(JSON.parse(first)).toMatchObject({ kind: 'feed-snapshot' });
      const sse = await SseClient.open(`${server2.url}/api/v1/events`, { 'x-api-key': 'btc-research-dev-key' });
      expect(sse.response?.statusCode).toBe(200);
      sse.close();
      ws.close();
    } finally {
      await server2.close();
    }
  });
});
