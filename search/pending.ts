// The proposals asked and not yet processed, by id. Ids are asked in increasing order and mostly answered in that
// order: an array window over the ids, cheaper than a Map that grows and rehashes with every set and delete.

export interface PendingView<P> {
  get(id: number): P | undefined;
  /** In id order. */
  values(): Iterable<P>;
  readonly size: number;
}

export class PendingProposals<P> implements PendingView<P> {
  private items: (P | undefined)[] = [];
  private base = 0; // id of items[0]
  private head = 0; // items[0…head) are all processed
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds proposal `id`, which must follow every id held so far. */
  set(id: number, p: P): void {
    if (this.count === 0) {
      this.items.length = 0;
      this.base = id;
      this.head = 0;
    }
    const at = id - this.base;
    if (at < this.items.length)
      throw new Error(`pending: id ${id} does not follow ${this.base + this.items.length - 1}`);
    while (this.items.length < at) this.items.push(undefined); // ids skipped (never in this run's window)
    this.items.push(p);
    this.count++;
  }

  get(id: number): P | undefined {
    const at = id - this.base;
    return at >= this.head && at < this.items.length ? this.items[at] : undefined;
  }

  /** True when `id` was pending. */
  delete(id: number): boolean {
    const at = id - this.base;
    if (at < this.head || at >= this.items.length || this.items[at] === undefined) return false;
    this.items[at] = undefined;
    this.count--;
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head); // drop the processed prefix now and then: O(1) amortised
      this.base += this.head;
      this.head = 0;
    }
    return true;
  }

  *values(): IterableIterator<P> {
    for (let i = this.head; i < this.items.length; i++) {
      const p = this.items[i];
      if (p !== undefined) yield p;
    }
  }

  clear(): void {
    this.items.length = 0;
    this.head = 0;
    this.count = 0;
  }
}
