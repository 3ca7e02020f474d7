import { ApiErrorBody, ApiErrorCode, LiveEventsQuery, Streams } from '@btc-research/contracts';
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

const REPLAY_MAX = 1_000;
const tags = ['live'];

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
  const slots = new ConnectionSlots(ctx.maxLiveConnectionsPerClient);
  const wsSlots = new WeakMap<object, () => void>();
  /** takes a connection slot of the caller, or refuses with 429; returns the release function */
  const claimSlot = (request: FastifyRequest): (() => void) => slots.claim(principalOf(request, ctx.auth, ctx.tokens).clientId);
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
          'Events are named fill, equity, status, feed, parity; data is JSON {kind, cursor, strategyId, type, tsEvent, payload}. Sends the current feed status first. Supports Last-Event-ID. Browsers may pass access_token or api_key as query parameters.',
        querystring: LiveEventsQuery.extend({}).loose(),
        response: { 200: z.string().describe('text/event-stream'), 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody },
      },
    },
    async (request, reply) => {
      const filter = parseLiveFilter(request.query);
      const lastEventId = typeof request.headers['last-event-id'] === 'string' ? request.headers['last-event-id'] : undefined;
      const release = claimSlot(request);
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
          openStreams.delete(stream);
          release();
        },
      });
      openStreams.add(stream);
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
