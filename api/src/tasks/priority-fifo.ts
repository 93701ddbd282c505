/**
 * A queue that hands out its highest priority first and, within a priority, the oldest first
 * (BullMQ's order for the jobs of one queue). One FIFO per priority: adding and taking cost
 * O(distinct priorities), which is a handful in practice.
 */
export class PriorityFifo<T> {
  /** Priorities present, highest first, each with its items and the index of its oldest. */
  readonly #levels: { priority: number; items: T[]; head: number }[] = [];
  #count = 0;

  get size(): number {
    return this.#count;
  }

  push(priority: number, item: T): void {
    let i = 0;
    while (i < this.#levels.length && (this.#levels[i]?.priority ?? 0) > priority) i++;
    let level = this.#levels[i];
    if (level?.priority !== priority) {
      level = { priority, items: [], head: 0 };
      this.#levels.splice(i, 0, level);
    }
    level.items.push(item);
    this.#count++;
  }

  /** The next item, not taken. */
  peek(): T | undefined {
    const level = this.#levels[0];
    return level ? level.items[level.head] : undefined;
  }

  shift(): T | undefined {
    const level = this.#levels[0];
    if (!level) return undefined;
    const item = level.items[level.head++];
    this.#count--;
    if (level.head === level.items.length) this.#levels.shift();
    else if (level.head > 1024 && level.head * 2 > level.items.length) {
      level.items = level.items.slice(level.head);
      level.head = 0;
    }
    return item;
  }

  /** Removes the first item that matches; whether one did. */
  remove(match: (item: T) => boolean): boolean {
    for (const [li, level] of this.#levels.entries()) {
      const at = level.items.findIndex((item, i) => i >= level.head && match(item));
      if (at < 0) continue;
      level.items.splice(at, 1);
      this.#count--;
      if (level.head === level.items.length) this.#levels.splice(li, 1);
      return true;
    }
    return false;
  }

  /** Every item, in order; the queue is left empty. */
  drain(): T[] {
    const all = this.toArray();
    this.#levels.length = 0;
    this.#count = 0;
    return all;
  }

  /** Every item, in order (the queue is unchanged). */
  toArray(): T[] {
    return this.#levels.flatMap((level) => level.items.slice(level.head));
  }
}
