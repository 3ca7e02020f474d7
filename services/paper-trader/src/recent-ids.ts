/**
 * The last `capacity` ids remembered, in the order first seen; the oldest is forgotten first once
 * more are added. Bounded, so a writer running for weeks holds a fixed number of ids, and O(1) per
 * id (a ring of the ids in order beside the set: no iteration over the set's deleted slots).
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  /** where the next id goes in `order` once it is full (the oldest id's slot) */
  private next = 0;

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
    if (this.order.length < this.capacity) {
      this.order.push(id);
      return;
    }
    this.ids.delete(this.order[this.next]!);
    this.order[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
  }
}
