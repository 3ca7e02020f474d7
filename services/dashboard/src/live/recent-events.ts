import type { LiveEvent } from './live-event.js';

/** How long the relay keeps what it passed on, for pages that connect after they were rendered. */
export const RECENT_EVENTS_MS = 60_000;
const MAX_RECENT_EVENTS = 2_000;

/**
 * The events the relay passed on lately, with when they arrived, so a page gets the ones that came
 * between its render and its live connection. Only a stretch during which the relay was connected
 * throughout can be replayed: `restart` marks a new stretch (the upstream came up again, or changed).
 */
export class RecentEvents {
  private entries: { at: number; event: LiveEvent }[] = [];
  /** from when on nothing is missing: the start of the current stretch, or the newest entry dropped */
  private completeFrom: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  restart(): void {
    this.entries = [];
    this.completeFrom = this.now();
  }

  /** the upstream is down: nothing can be replayed until it is up again */
  end(): void {
    this.entries = [];
    this.completeFrom = null;
  }

  record(event: LiveEvent): void {
    const at = this.now();
    this.entries.push({ at, event });
    let drop = 0;
    while (drop < this.entries.length && (this.entries.length - drop > MAX_RECENT_EVENTS || this.entries[drop]!.at < at - RECENT_EVENTS_MS)) drop += 1;
    if (drop > 0) {
      this.completeFrom = Math.max(this.completeFrom ?? 0, this.entries[drop - 1]!.at + 1);
      this.entries.splice(0, drop);
    }
  }

  /** Everything passed on at or after `since`, or null when some of it may be missing. */
  since(since: number): LiveEvent[] | null {
    if (this.completeFrom === null || since < this.completeFrom || since < this.now() - RECENT_EVENTS_MS) return null;
    return this.entries.filter((e) => e.at >= since).map((e) => e.event);
  }
}
