/**
 * Group commit: items that arrive while a write is in flight are written together by the next
 * one, as one statement, instead of one statement (one round trip, one WAL flush) each.
 *
 *   submit(item) -> a free slot (fewer than `maxInFlight` writes running)? write now, with
 *                   whatever else arrived in this same tick (a microtask's delay, no timer)
 *                -> else wait: when a write ends, the next one takes up to `maxBatch` waiting
 *   A lone item is written by `one` (the plain single statement), a group by `many`. If `many`
 *   fails, each of its items is written again by `one`, separately: a bad item fails alone,
 *   the others still succeed (`one`'s per-item guards make a repeat harmless).
 *
 * No added latency when idle (nothing waits for a timer); under load the batch grows with the
 * write's own duration, which is what bounds the wait.
 */
export interface GroupCommitOptions<I, O> {
  one: (item: I) => Promise<O>;
  many: (items: I[]) => Promise<O[]>;
  maxBatch: number;
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<I, O> {
  readonly #waiting: Pending<I, O>[] = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #opts: GroupCommitOptions<I, O>;

  constructor(opts: GroupCommitOptions<I, O>) {
    this.#opts = opts;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#scheduled && this.#inFlight < this.#opts.maxInFlight) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#drain();
        });
      }
    });
  }

  #drain(): void {
    while (this.#waiting.length > 0 && this.#inFlight < this.#opts.maxInFlight) {
      const batch = this.#waiting.splice(0, this.#opts.maxBatch);
      this.#inFlight++;
      void this.#write(batch).finally(() => {
        this.#inFlight--;
        this.#drain();
      });
    }
  }

  async #write(batch: Pending<I, O>[]): Promise<void> {
    if (batch.length > 1) {
      let results: O[] | undefined;
      try {
        results = await this.#opts.many(batch.map((p) => p.item));
      } catch {
        // One by one below: the failure belongs to some item(s), not to all of them.
      }
      if (results) {
        for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
        return;
      }
    }
    await Promise.all(
      batch.map(async (p) => {
        try {
          p.resolve(await this.#opts.one(p.item));
        } catch (err) {
          p.reject(err);
        }
      }),
    );
  }
}
