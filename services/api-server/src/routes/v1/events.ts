import { ApiErrorBody, ApiErrorCode, LiveEventsQuery, LiveReplayMax, Streams } from '@btc-research/contracts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext, RouteOptions } from '../../context.js';
import { ApiError } from '../../errors.js';
import { ConnectionSlots } from '../../live/connection-slots.js';
import { toLiveEvent, type LiveEvent } from '../../live/event-hub.js';
import { parseLiveFilter, type LiveFilter } from '../../live/live-filter.js';
import { streamOverSse } from '../../live/sse-connection.js';
import { streamOverWebSocket } from '../../live/ws-connection.js';
import { principalOf } from '../../plugins/auth.js';

const tags = ['live'];

/** Entries after a client's Last-Event-ID ("<stream>|<id>"), so a reconnecting EventSource misses nothing. */
async function replayAfter(ctx: ApiContext, lastEventId: string | undefined): Promise<LiveEvent[]> {
  if (!lastEventId) return [];
  const sep = lastEventId.indexOf('|');
  const stream = lastEventId.slice(0, sep);
  const id = lastEventId.slice(sep + 1);
  if (sep < 0 || stream !== Streams.strategyEvents() || !/^\d+-\d+$/.test(id)) return [];
  const entries = await ctx.bus.read(stream, id, LiveReplayMax);
  return entries.map(toLiveEvent).filter((e): e is LiveEvent => e !== null);
}

/**
 * Live events for the dashboard and scripts: strategy fills, equity, status and the feed status.
 * GET /events is Server-Sent Events; GET /events/ws is the same stream over WebSocket.
 */
export const eventRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const connections = new LiveConnections(ctx);
  app.addHook('preClose', async () => connections.endAll());
  app.get(
    '/events',
    {
      config: { rateLimit: false },
      schema: {
        tags,
        operationId: 'streamEvents', summary: 'Server-Sent Events: strategy fills, equity, status and feed status',
        description:
          'Events are named fill, equity, status, feed, parity; data is JSON {kind, cursor, strategyId, type, tsEvent, payload}. Sends the current feed status first. Supports Last-Event-ID. Browsers may pass access_token or api_key as query parameters.',
        querystring: LiveEventsQuery.extend({}).loose(),
        response: { 200: z.string().describe('text/event-stream'), 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const filter = parseLiveFilter(request.query);
      const lastEventId = typeof request.headers['last-event-id'] === 'string' ? request.headers['last-event-id'] : undefined;
      const release = connections.claim(request);
      let backlog: LiveEvent[];
      try {
        backlog = await replayAfter(ctx, lastEventId);
      } catch (error) {
        release();
        throw error;
      }
      const stream = streamOverSse(ctx, request, reply, {
        filter,
        backlog,
        onClosed: () => {
          connections.untrack(stream);
          release();
        },
      });
      connections.track(stream);
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
    preHandler: async (request) => connections.reserveForUpgrade(request),
    handler: async () => {
      throw new ApiError(426, ApiErrorCode.upgradeRequired, 'this route speaks WebSocket: open it with a WebSocket client (or use GET /api/v1/events for SSE)');
    },
    wsHandler: (socket, request) => {
      socket.once('close', connections.takeUpgradeSlot(request));
      let filter: LiveFilter;
      try {
        filter = parseLiveFilter(request.query as { strategyId?: string; types?: string });
      } catch (error) {
        socket.close(1008, error instanceof Error ? error.message.slice(0, 120) : 'bad request');
        return;
      }
      streamOverWebSocket(ctx, socket, filter);
    },
  });
};

/** The live-event connections of this server: each client's slots (SSE and WebSocket together) and the open SSE streams. */
class LiveConnections {
  private readonly slots: ConnectionSlots;
  private readonly openStreams = new Set<{ end(): void }>();
  /** an upgrade's slot, from its preHandler to its wsHandler, by raw request */
  private readonly upgradeSlots = new WeakMap<object, () => void>();

  constructor(private readonly ctx: ApiContext) {
    this.slots = new ConnectionSlots(ctx.maxLiveConnectionsPerClient);
  }

  /** takes a connection slot of the caller, or refuses with 429; returns the release function */
  claim(request: FastifyRequest): () => void {
    return this.slots.claim(principalOf(request, this.ctx.auth, this.ctx.tokens).clientId);
  }

  /**
   * Only a real upgrade (the server's 'upgrade' event; @fastify/websocket sets request.ws) takes a
   * slot, before the handshake so a refusal is a plain HTTP 429. The slot belongs to the TCP
   * socket: it is freed when that closes, whether the handshake succeeded or the WebSocket server
   * refused it (no key, wrong version) or the client hung up half-way.
   */
  reserveForUpgrade(request: FastifyRequest): void {
    if (!request.ws) return;
    const release = this.claim(request);
    request.raw.socket.once('close', release);
    this.upgradeSlots.set(request.raw, release);
  }

  /** the release of the slot the upgrade of `request` reserved */
  takeUpgradeSlot(request: FastifyRequest): () => void {
    const release = this.upgradeSlots.get(request.raw) ?? (() => undefined);
    this.upgradeSlots.delete(request.raw);
    return release;
  }

  track(stream: { end(): void }): void {
    this.openStreams.add(stream);
  }

  untrack(stream: { end(): void }): void {
    this.openStreams.delete(stream);
  }

  endAll(): void {
    for (const s of this.openStreams) s.end();
    this.openStreams.clear();
  }
}
