/**
 * Requests waiting for resources (pending actors, pending placement groups). A change that may
 * let them fit calls retrySoon(): after the current turn of the event loop every waiting item
 * is tried once more, in the order it started waiting; many changes in one turn make one pass.
 */
export class WaitQueue<T> {
  readonly #waiting = new Set<T>();
  readonly #retry: (item: T) => void;
  #scheduled = false;

  constructor(retry: (item: T) => void) {
    this.#retry = retry;
  }

  /** Adds an item; true when it was not waiting yet. */
  add(item: T): boolean {
    if (this.#waiting.has(item)) return false;
    this.#waiting.add(item);
    return true;
  }

  delete(item: T): void {
    this.#waiting.delete(item);
  }

  retrySoon(): void {
    if (this.#scheduled || this.#waiting.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      for (const item of [...this.#waiting]) this.#retry(item);
    });
  }
}
