/**
 * The last `capacity` ids remembered, in the order first seen; the oldest is forgotten first once
 * more are added. Bounded, so a writer running for weeks holds a fixed number of ids.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      // a Set iterates in insertion order: the first one is the oldest
      for (const oldest of this.ids) {
        this.ids.delete(oldest);
        break;
      }
    }
  }
}
