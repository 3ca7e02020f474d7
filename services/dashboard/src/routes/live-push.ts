import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { isWantedBy, type LiveEvent } from '../live/live-event.js';
import type { UpstreamMode } from '../live/live-hub.js';
import { field } from '../plugins/form-fields.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { authOf } from '../plugins/session.js';

const SSE_PING_MS = 15_000;
const WS_PING_MS = 20_000;

/** `since`: when the browser's page was rendered (this server's clock, from the page itself) */
function sinceOf(query: unknown): number | undefined {
  const since = Number(field(query, 'since'));
  return Number.isSafeInteger(since) && since > 0 ? since : undefined;
}

/**
 * The first message of a live connection. `upstream`: whether events flow from the API yet ('idle':
 * not yet). `caughtUp`: the events since the page's render follow, so it shows everything; false:
 * some may be missing, and the page reloads what it shows once events flow.
 */
function helloOf(transport: 'ws' | 'sse', upstream: UpstreamMode, missed: LiveEvent[] | null): { transport: string; upstream: UpstreamMode; caughtUp: boolean } {
  return { transport, upstream, caughtUp: missed !== null };
}

/** /live/sse: the relay's events as Server-Sent Events, a `hello` first. */
function registerSse(app: FastifyInstance, { ctx }: RouteOptions): void {
  const open = new Set<() => void>();
  // live connections never end by themselves: end them before the server waits for its connections
  app.addHook('preClose', async () => {
    for (const close of open) close();
  });
  app.get('/live/sse', (request, reply) => {
    const strategy = field(request.query, 'strategy') ?? null;
    const hub = ctx.hubs.get(authOf(request));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (event: LiveEvent): void => {
      if (isWantedBy(event, strategy)) res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    const upstream = hub.mode;
    const { unsubscribe, missed } = hub.subscribe(send, sinceOf(request.query));
    res.write(`retry: 3000\nevent: hello\ndata: ${JSON.stringify(helloOf('sse', upstream, missed))}\n\n`);
    for (const event of missed ?? []) send(event);
    const ping = setInterval(() => res.write(': ping\n\n'), SSE_PING_MS);
    const done = (): void => {
      clearInterval(ping);
      unsubscribe();
      open.delete(close);
    };
    const close = (): void => {
      done();
      res.end();
    };
    request.raw.on('close', done);
    open.add(close);
  });
}

/** /live/ws: the relay's events over WebSocket (same-origin pages only), a `hello` first. */
async function registerWebSocket(app: FastifyInstance, { ctx }: RouteOptions): Promise<void> {
  await app.register(fastifyWebsocket, {
    options: { maxPayload: 4096 },
    // end live sockets at once on close (a close handshake could hold the server up)
    preClose(done) {
      for (const client of this.websocketServer.clients) client.terminate();
      this.websocketServer.close(() => done());
    },
  });
  app.get('/live/ws', { websocket: true, preHandler: refuseCrossSite }, (socket, request) => {
    const strategy = field(request.query, 'strategy') ?? null;
    const hub = ctx.hubs.get(authOf(request));
    const send = (event: LiveEvent): void => {
      if (socket.readyState === socket.OPEN && isWantedBy(event, strategy)) socket.send(JSON.stringify(event));
    };
    const upstream = hub.mode;
    const { unsubscribe, missed } = hub.subscribe(send, sinceOf(request.query));
    socket.send(JSON.stringify({ type: 'hello', payload: helloOf('ws', upstream, missed) }));
    for (const event of missed ?? []) send(event);
    let isAlive = true;
    socket.on('pong', () => (isAlive = true));
    const ping = setInterval(() => {
      if (!isAlive) return socket.terminate();
      isAlive = false;
      socket.ping();
    }, WS_PING_MS);
    socket.on('close', () => {
      clearInterval(ping);
      unsubscribe();
    });
    socket.on('error', () => socket.terminate());
  });
}

/** Push transports, each only when offered (tests switch them off to prove the browser's fallbacks). */
export const livePushRoutes: FastifyPluginAsync<RouteOptions> = async (app, options) => {
  if (options.ctx.live.sse) registerSse(app, options);
  if (options.ctx.live.ws) await registerWebSocket(app, options);
};
