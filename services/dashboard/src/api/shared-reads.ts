const MAX_ENTRIES = 500;

/**
 * Shares identical reads for a short time: concurrent and repeated GETs of one path with one
 * credential cost the API one request, so many browser tabs cost it (and its per-client rate limit)
 * about as much as one. A failed read is forgotten at once.
 */
export class SharedReads {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return load();
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { at: now, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > MAX_ENTRIES) this.evictOlderThan(now - this.ttlMs);
    return value;
  }

  /** A state-changing call makes every shared read stale. */
  clear(): void {
    this.entries.clear();
  }

  private evictOlderThan(limit: number): void {
    for (const [k, v] of this.entries) if (v.at <= limit) this.entries.delete(k);
  }
}
