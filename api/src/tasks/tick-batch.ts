/**
 * Ids gathered during one tick and written by one call at the next (setImmediate): the leases
 * or releases of all the attempts starting or ending together, in one Redis command.
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
      const done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        this.#pending = undefined;
        return this.#write(batch);
      });
      this.#pending = { ids: batch, done };
    }
    this.#pending.ids.push(...ids);
    return this.#pending.done;
  }
}
