interface Entry<V> {
  value: Promise<V>;
  /** when the value was loaded */
  loadedAt: number;
  /** dropped by an event: serve it while a reload runs, never after maxStaleMs */
  isStale: boolean;
  refreshing: Promise<V> | null;
}

/**
 * A small cache for hot reads, stale-while-revalidate: a value older than ttlMs, or marked stale by a
 * strategy event, is still served while one reload runs in the background, so a burst of requests
 * never queues behind a recomputation. A value older than maxStaleMs is never served: the caller waits
 * for the reload. ttlMs ≤ 0 disables caching.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxStaleMs = Math.max(ttlMs * 5, 5_000),
    private readonly maxEntries = 1_000,
  ) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return load();
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit) {
      const age = t - hit.loadedAt;
      if (!hit.isStale && age < this.ttlMs) return hit.value;
      if (age < this.maxStaleMs) {
        this.refresh(key, hit, load);
        return hit.value;
      }
      return this.refresh(key, hit, load);
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = load();
    const entry: Entry<V> = { value, loadedAt: t, isStale: false, refreshing: null };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  private refresh(key: string, entry: Entry<V>, load: () => Promise<V>): Promise<V> {
    if (entry.refreshing) return entry.refreshing;
    const started = this.now();
    entry.isStale = false;
    const next = load();
    entry.refreshing = next;
    next.then(
      () => {
        entry.value = next;
        entry.loadedAt = started;
        entry.refreshing = null;
      },
      () => {
        entry.refreshing = null;
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return next;
  }

  /** Marks every entry whose key starts with prefix as stale (served at most until reloaded). */
  invalidate(prefix: string): void {
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) entry.isStale = true;
  }

  /** Forgets every entry whose key starts with prefix: the next read waits for a fresh value (e.g. after a removal). */
  drop(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
