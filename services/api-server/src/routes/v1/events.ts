import { ApiErrorBody, LiveEventKind, LiveEventsQuery, Streams, type LiveEventKind as Kind } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { ApiErrorCode } from '@btc-research/contracts';
import type { FastifyRequest } from 'fastify';
import type { ApiContext, RouteOptions } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { toLiveEvent, type LiveEvent } from '../../live/event-hub.js';
import { feedResponse } from '../../read-model/market-read-model.js';

const HEARTBEAT_MS = 15_000;
/** a client this far behind is disconnected; it reconnects (SSE: with Last-Event-ID) and catches up */
const MAX_BUFFERED_BYTES = 1_048_576;
const REPLAY_MAX = 1_000;
const tags = ['live'];

interface Filter {
  strategyId: string | undefined;
  kinds: ReadonlySet<Kind>;
}

function parseFilter(query: { strategyId?: string | undefined; types?: string | undefined }): Filter {
  const kinds = new Set<Kind>();
  if (query.types !== undefined && query.types.trim() !== '') {
    for (const raw of query.types.split(',')) {
      const k = LiveEventKind.safeParse(raw.trim());
      if (!k.success) throw new ApiError(400, ApiErrorCode.validationFailed, `unknown event type "${raw.trim()}" (use ${LiveEventKind.options.join(', ')})`);
      kinds.add(k.data);
    }
  } else for (const k of LiveEventKind.options) kinds.add(k);
  return { strategyId: query.strategyId, kinds };
}

function matches(filter: Filter, event: LiveEvent): boolean {
  if (!filter.kinds.has(event.kind)) return false;
  return event.kind === 'feed' || filter.strategyId === undefined || event.strategyId === filter.strategyId;
}

/** The wire form of a live event (SSE data and WebSocket message). */
export function eventMessage(event: LiveEvent): { kind: Kind; cursor: string; strategyId: string | null; type: string; tsEvent: number; payload: unknown } {
  return { kind: event.kind, cursor: event.cursor, strategyId: event.strategyId, type: event.envelope.type, tsEvent: event.envelope.tsEvent, payload: event.envelope.payload };
}

/** Entries after a client's Last-Event-ID ("<stream>|<id>"), so a reconnecting EventSource misses nothing. */
async function replayAfter(ctx: ApiContext, lastEventId: string | undefined): Promise<LiveEvent[]> {
  if (!lastEventId) return [];
  const sep = lastEventId.indexOf('|');
  const stream = lastEventId.slice(0, sep);
  const id = lastEventId.slice(sep + 1);
  if (sep < 0 || stream !== Streams.strategyEvents() || !/^\d+-\d+$/.test(id)) return [];
  const entries = await ctx.bus.read(stream, id, REPLAY_MAX);
  return entries.map(toLiveEvent).filter((e): e is LiveEvent => e !== null);
}

/**
 * Live events for the dashboard and scripts: strategy fills, equity, status and the feed status.
 * GET /events is Server-Sent Events; GET /events/ws is the same stream over WebSocket.
 */
export const eventRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const openStreams = new Set<{ end(): void }>();
  const perClient = new Map<string, number>();
  const wsSlots = new WeakMap<object, () => void>();
  /** takes a connection slot of the caller, or refuses with 429; returns the release function */
  const claimSlot = (request: FastifyRequest): (() => void) => {
    const client = principalOf(request, ctx.auth, ctx.tokens).clientId;
    const used = perClient.get(client) ?? 0;
    if (used >= ctx.maxLiveConnectionsPerClient) {
      throw new ApiError(429, ApiErrorCode.rateLimited, `at most ${ctx.maxLiveConnectionsPerClient} live-event connections per client; close one first`);
    }
    perClient.set(client, used + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const n = (perClient.get(client) ?? 1) - 1;
      if (n <= 0) perClient.delete(client);
      else perClient.set(client, n);
    };
  };
  app.addHook('preClose', async () => {
    for (const s of openStreams) s.end();
    openStreams.clear();
  });
  app.get(
    '/events',
    {
      config: { rateLimit: false },
      schema: {
        tags,
        operationId: 'streamEvents', summary: 'Server-Sent Events: strategy fills, equity, status and feed status',
        description:
          'Events are named fill, equity, status, feed; data is JSON {kind, cursor, strategyId, type, tsEvent, payload}. Sends the current feed status first. Supports Last-Event-ID. Browsers may pass access_token or api_key as query parameters.',
        querystring: LiveEventsQuery.extend({}).loose(),
        response: { 200: z.string().describe('text/event-stream'), 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const filter = parseFilter(request.query);
      const lastEventId = typeof request.headers['last-event-id'] === 'string' ? request.headers['last-event-id'] : undefined;
      const release = claimSlot(request);
      let backlog: LiveEvent[];
      try {
        backlog = await replayAfter(ctx, lastEventId);
      } catch (error) {
        release();
        throw error;
      }
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      });
      const write = (event: LiveEvent): void => {
        if (!matches(filter, event) || raw.writableEnded) return;
        if (raw.writableLength > MAX_BUFFERED_BYTES) {
          raw.end();
          return;
        }
        raw.write(`id: ${event.cursor}\nevent: ${event.kind}\ndata: ${JSON.stringify(eventMessage(event))}\n\n`);
        ctx.metrics.liveEventsSent.inc({ kind: event.kind });
      };
      raw.write(`retry: 2000\n: connected\n\n`);
      if (filter.kinds.has('feed')) raw.write(`event: feed-snapshot\ndata: ${JSON.stringify(feedResponse(ctx.hub.latestFeed))}\n\n`);
      for (const e of backlog) write(e);
      const unsubscribe = ctx.hub.subscribe(write);
      const heartbeat = setInterval(() => raw.write(`: heartbeat ${ctx.now()}\n\n`), HEARTBEAT_MS);
      ctx.metrics.liveClients.inc({ transport: 'sse' });
      const done = (): void => {
        release();
        clearInterval(heartbeat);
        unsubscribe();
        ctx.metrics.liveClients.dec({ transport: 'sse' });
      };
      openStreams.add(raw);
      raw.once('close', () => {
        openStreams.delete(raw);
        done();
      });
    },
  );

  app.route({
    method: 'GET',
    url: '/events/ws',
    config: { rateLimit: false },
    schema: {
      tags,
      operationId: 'streamEventsWebSocket', summary: 'WebSocket: the same live events as /events, one JSON message each',
      description:
        'Upgrade with a WebSocket handshake (101). First message: {kind:"feed-snapshot", feed}. Then {kind, cursor, strategyId, type, tsEvent, payload} per event. A plain HTTP GET gets 426.',
      querystring: LiveEventsQuery.extend({}).loose(),
      response: { 426: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody },
    },
    preHandler: async (request) => {
      // Only a real upgrade (the server's 'upgrade' event; @fastify/websocket sets request.ws) takes a
      // slot, before the handshake so a refusal is a plain HTTP 429. The slot belongs to the TCP
      // socket: it is freed when that closes, whether the handshake succeeded or the WebSocket server
      // refused it (no key, wrong version) or the client hung up half-way.
      if (!request.ws) return;
      const release = claimSlot(request);
      request.raw.socket.once('close', release);
      wsSlots.set(request.raw, release);
    },
    handler: async () => {
      throw new ApiError(426, ApiErrorCode.upgradeRequired, 'this route speaks WebSocket: open it with a WebSocket client (or use GET /api/v1/events for SSE)');
    },
    wsHandler: (socket, request) => {
      const release = wsSlots.get(request.raw) ?? (() => undefined);
      wsSlots.delete(request.raw);
      socket.once('close', release);
      let filter: Filter;
      try {
        filter = parseFilter(request.query as { strategyId?: string; types?: string });
      } catch (error) {
        socket.close(1008, error instanceof Error ? error.message.slice(0, 120) : 'bad request');
        return;
      }
      const send = (event: LiveEvent): void => {
        if (!matches(filter, event) || socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(1013, 'client too slow; reconnect');
          return;
        }
        socket.send(JSON.stringify(eventMessage(event)));
        ctx.metrics.liveEventsSent.inc({ kind: event.kind });
      };
      socket.send(JSON.stringify({ kind: 'feed-snapshot', feed: feedResponse(ctx.hub.latestFeed) }));
      const unsubscribe = ctx.hub.subscribe(send);
      const ping = setInterval(() => socket.ping(), HEARTBEAT_MS);
      ctx.metrics.liveClients.inc({ transport: 'ws' });
      socket.on('message', () => undefined);
      socket.once('close', () => {
        clearInterval(ping);
        unsubscribe();
        ctx.metrics.liveClients.dec({ transport: 'ws' });
      });
    },
  });
};
