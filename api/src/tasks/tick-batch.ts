/**
 * Ids gathered during one turn of the event loop and written by one call in the turn after it:
 * the leases or releases of all the attempts starting or ending together, in one Redis command.
 *
 * A turn later, not at this turn's end: the attempts a turn starts send their calls at its end
 * (the cluster client's frames leave together, on setImmediate), and a lease is nothing a call
 * waits for, so it goes out after them instead of ahead of them. Every batch waits the same two
 * steps, so writes leave in the order they were asked for.
 */
export class TickBatch {
  #pending: { ids: string[]; done: Promise<void> } | undefined;
  readonly #write: (ids: string[]) => Promise<void>;

  constructor(write: (ids: string[]) => Promise<void>) {
    this.#write = write;
  }

  add(ids: readonly string[]): Promise<void> {
    if (!this.#pending) {
      const batch: string[] = [];
      const done = new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve))).then(() => {
        this.#pending = undefined;
        return this.#write(batch);
      });
      this.#pending = { ids: batch, done };
    }
    this.#pending.ids.push(...ids);
    return this.#pending.done;
  }
}
