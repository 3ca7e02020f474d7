/**
 * LiveHub: one upstream connection to the api-server's event stream, fanned out to every browser
 * connected to this dashboard (over WebSocket or SSE).
 *
 * Upstream preference: the API's SSE stream (`GET /api/v1/events`). When that is unavailable the hub
 * polls the API and turns differences into the same event types, so browsers see one protocol
 * whatever the API offers. The upstream runs while a browser listens, and for `lingerMs` after the
 * last one left: a user going from page to page finds it connected, and each new page gets the
 * events of the moments between its render and its own connection (RecentEvents).
 */
import type { Logger } from '@btc-research/platform';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { rawPaths } from '../api/endpoints.js';
import { loadOverview } from '../page-data/overview.js';
import { abortableDelay, forEachSseBlock } from './event-stream.js';
import { upstreamEvent, type LiveEvent } from './live-event.js';
import { diffOverview, pollOf, type OverviewPoll } from './overview-diff.js';
import { RecentEvents } from './recent-events.js';
import { readSseBlock } from './sse-block.js';

export type UpstreamMode = 'idle' | 'sse' | 'poll';

export interface LiveHubOptions {
  api: ApiClient;
  auth?: ApiAuth | undefined;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** API poll interval when the API offers no event stream; default 2000 ms */
  pollMs?: number | undefined;
  /** how long to poll before trying the API's SSE stream again; default 30 000 ms */
  sseRetryMs?: number | undefined;
  /** 'auto' (default): the API's event stream, polling while it is unavailable; 'poll': poll only
   *  (for an API behind a proxy that buffers event streams) */
  upstream?: 'auto' | 'poll' | undefined;
  /** how long the upstream stays connected after the last browser left (the next page of a
   *  browsing user finds it connected, and gets what it missed since its render); default 30 000 ms */
  lingerMs?: number | undefined;
}

type Listener = (event: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private upstreamMode: UpstreamMode = 'idle';
  private lastPoll: OverviewPoll | null = null;
  private readonly pollMs: number;
  private readonly sseRetryMs: number;
  private readonly lingerMs: number;
  private lingerTimer: NodeJS.Timeout | null = null;
  private readonly recent = new RecentEvents();

  constructor(private readonly opts: LiveHubOptions) {
    this.pollMs = opts.pollMs ?? 2000;
    this.sseRetryMs = opts.sseRetryMs ?? 30_000;
    this.lingerMs = opts.lingerMs ?? 30_000;
  }

  get mode(): UpstreamMode {
    return this.upstreamMode;
  }

  get size(): number {
    return this.listeners.size;
  }

  /**
   * Adds a browser. With `since` (when its page was rendered, by this server's clock), `missed` is
   * what the hub passed on since then, for the caller to send before anything else, or null when
   * that may not be all (the upstream was not connected all that time): then the page reloads what
   * it shows once events flow.
   */
  subscribe(listener: Listener, since?: number): { unsubscribe: () => void; missed: LiveEvent[] | null } {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const missed = since === undefined ? null : this.recent.since(since);
    this.listeners.add(listener);
    if (!this.running) this.start();
    const unsubscribe = (): void => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.lingerTimer = setTimeout(() => void this.stop(), this.lingerMs);
      this.lingerTimer.unref();
    };
    return { unsubscribe, missed };
  }

  async stop(): Promise<void> {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.recent.end();
    const { controller, running } = this;
    this.controller = null;
    this.running = null;
    this.upstreamMode = 'idle';
    this.lastPoll = null;
    controller?.abort();
    await running?.catch(() => undefined);
  }

  /**
   * Every change of the upstream is told to the browsers (`live.upstream`): until it is 'sse' or
   * 'poll' nothing reaches them, so a page says so, and a page that was open while it was down
   * reloads what it shows once it is back (what happened in between came as no event).
   */
  private setMode(mode: UpstreamMode): void {
    if (mode === this.upstreamMode) return;
    this.upstreamMode = mode;
    if (mode === 'idle') this.recent.end();
    else {
      this.opts.api.forgetSharedReads();
      this.recent.restart();
    }
    this.emit(upstreamEvent(mode));
  }

  /** An event from the API: what browsers read next (the panels it refreshes) must be read anew. */
  private relay(event: LiveEvent): void {
    this.opts.api.forgetSharedReads();
    this.recent.record(event);
    this.emit(event);
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.opts.log.warn({ err }, 'live listener failed');
      }
    }
  }

  private start(): void {
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.loop(controller.signal).finally(() => {
      if (this.controller !== controller) return;
      this.running = null;
      this.controller = null;
      this.setMode('idle');
    });
  }

  private async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if (this.opts.upstream === 'poll') throw new Error('event stream not used (upstream: poll)');
        await this.relayEventStream(signal);
      } catch (err) {
        if (signal.aborted) return;
        this.opts.log.debug({ err: (err as Error).message }, 'api event stream unavailable; polling the API');
      }
      if (signal.aborted) return;
      this.setMode('poll');
      const until = Date.now() + this.sseRetryMs;
      while (!signal.aborted && Date.now() < until) {
        await this.pollOnce(signal).catch((err: unknown) => this.opts.log.debug({ err: (err as Error).message }, 'api poll failed'));
        await abortableDelay(this.pollMs, signal);
      }
    }
  }

  private async relayEventStream(signal: AbortSignal): Promise<void> {
    const res = await this.opts.api.fetch(rawPaths.events, { accept: 'text/event-stream', auth: this.opts.auth, signal });
    const contentType = res.headers.get('content-type') ?? '';
    if (!res.ok || !res.body || !contentType.includes('text/event-stream')) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`GET ${rawPaths.events} answered ${res.status} ${contentType}`);
    }
    this.setMode('sse');
    this.opts.log.info({ url: this.opts.api.url(rawPaths.events) }, 'relaying api events');
    await forEachSseBlock(res.body, (block) => {
      const read = readSseBlock(block);
      if (read === null) return;
      if ('event' in read) this.relay(read.event);
      else this.opts.log.error({ issue: read.issue }, 'api event outside its contract');
    });
    throw new Error('api event stream ended');
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const data = await loadOverview(this.opts.api, this.opts.auth);
    if (signal.aborted) return;
    for (const event of diffOverview(this.lastPoll, data)) this.relay(event);
    this.lastPoll = pollOf(data);
  }
}
