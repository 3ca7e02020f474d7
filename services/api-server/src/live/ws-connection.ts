import type { WebSocket } from 'ws';
import type { ApiContext } from '../context.js';
import { feedResponse } from '../read-model/market-read-model.js';
import type { LiveEvent } from './event-hub.js';
import { liveEventMessage, matchesLiveFilter, type LiveFilter } from './live-filter.js';
import { LIVE_HEARTBEAT_MS, LIVE_MAX_BUFFERED_BYTES } from './live-limits.js';

/**
 * Serves live events over an accepted WebSocket: the feed snapshot first, then one JSON message
 * per matching event; a client too far behind is closed with 1013 so it reconnects and catches up.
 */
export function streamOverWebSocket(ctx: ApiContext, socket: WebSocket, filter: LiveFilter): void {
  const send = (event: LiveEvent): void => {
    if (!matchesLiveFilter(filter, event) || socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > LIVE_MAX_BUFFERED_BYTES) {
      socket.close(1013, 'client too slow; reconnect');
      return;
    }
    socket.send(JSON.stringify(liveEventMessage(event)));
    ctx.metrics.liveEventsSent.inc({ kind: event.kind });
  };
  socket.send(JSON.stringify({ kind: 'feed-snapshot', feed: feedResponse(ctx.hub.latestFeed) }));
  const unsubscribe = ctx.hub.subscribe(send);
  const ping = setInterval(() => socket.ping(), LIVE_HEARTBEAT_MS);
  ctx.metrics.liveClients.inc({ transport: 'ws' });
  socket.on('message', () => undefined);
  socket.once('close', () => {
    clearInterval(ping);
    unsubscribe();
    ctx.metrics.liveClients.dec({ transport: 'ws' });
  });
}
