import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import { feedResponse } from '../read-model/market-read-model.js';
import type { LiveEvent } from './event-hub.js';
import { liveEventMessage, matchesLiveFilter, type LiveFilter } from './live-filter.js';
import { LIVE_HEARTBEAT_MS, LIVE_MAX_BUFFERED_BYTES } from './live-limits.js';

/**
 * Turns a request into a Server-Sent Events stream: the feed snapshot, the backlog after the
 * client's Last-Event-ID, then every matching live event until the client goes away (or falls too
 * far behind). `onClosed` runs once when the connection closes.
 */
export function streamOverSse(ctx: ApiContext, request: FastifyRequest, reply: FastifyReply, live: { filter: LiveFilter; backlog: LiveEvent[]; onClosed: () => void }): { end(): void } {
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
    if (!matchesLiveFilter(live.filter, event) || raw.writableEnded) return;
    if (raw.writableLength > LIVE_MAX_BUFFERED_BYTES) {
      raw.end();
      return;
    }
    raw.write(`id: ${event.cursor}\nevent: ${event.kind}\ndata: ${JSON.stringify(liveEventMessage(event))}\n\n`);
    ctx.metrics.liveEventsSent.inc({ kind: event.kind });
  };
  raw.write(`retry: 2000\n: connected\n\n`);
  if (live.filter.kinds.has('feed')) raw.write(`event: feed-snapshot\ndata: ${JSON.stringify(feedResponse(ctx.hub.latestFeed))}\n\n`);
  for (const e of live.backlog) write(e);
  const unsubscribe = ctx.hub.subscribe(write);
  const heartbeat = setInterval(() => raw.write(`: heartbeat ${ctx.now()}\n\n`), LIVE_HEARTBEAT_MS);
  ctx.metrics.liveClients.inc({ transport: 'sse' });
  raw.once('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    ctx.metrics.liveClients.dec({ transport: 'sse' });
    live.onClosed();
  });
  return raw;
}
