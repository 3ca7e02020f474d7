/**
 * LiveHub: one upstream connection to the api-server's event stream, fanned out to every browser
 * connected to this dashboard (over WebSocket or SSE).
 *
 * Upstream preference: the API's SSE stream (`GET /api/v1/events`). When that is unavailable the hub
 * polls the API and turns differences into the same event types, so browsers see one protocol
 * whatever the API offers. The upstream runs only while at least one browser listens.
 */
import type { Logger } from '@btc-research/platform';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { rawPaths } from '../api/endpoints.js';
import { loadOverview } from '../page-data/overview.js';
import { abortableDelay, forEachSseBlock } from './event-stream.js';
import { upstreamEvent, type LiveEvent } from './live-event.js';
import { diffOverview, pollOf, type OverviewPoll } from './overview-diff.js';
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

  constructor(private readonly opts: LiveHubOptions) {
    this.pollMs = opts.pollMs ?? 2000;
    this.sseRetryMs = opts.sseRetryMs ?? 30_000;
  }

  get mode(): UpstreamMode {
    return this.upstreamMode;
  }

  get size(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.running) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stop();
    };
  }

  async stop(): Promise<void> {
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
    if (mode !== 'idle') this.opts.api.forgetSharedReads();
    this.emit(upstreamEvent(mode));
  }

  /** An event from the API: what browsers read next (the panels it refreshes) must be read anew. */
  private relay(event: LiveEvent): void {
    this.opts.api.forgetSharedReads();
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
