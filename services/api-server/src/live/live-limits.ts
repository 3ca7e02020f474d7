/** How often an idle live connection is pinged (SSE comment, WebSocket ping). */
export const LIVE_HEARTBEAT_MS = 15_000;
/** A client this far behind is disconnected; it reconnects (SSE: with Last-Event-ID) and catches up. */
export const LIVE_MAX_BUFFERED_BYTES = 1_048_576;
