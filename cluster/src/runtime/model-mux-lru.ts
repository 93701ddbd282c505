/**
 * The model mux's resident set: models loaded on first use, kept in least-recently-used order,
 * released when over the limits. Generic over what a model is (anything with a size that can
 * be closed), so its rules are tested with fakes (model-mux-lru.test.ts) and used with loaded
 * model servers (model-mux.ts).
 *
 * The rules:
 *   - `use(id, load, fn)` marks `id` most recently used, loads it if it is not resident (calls
 *     for a model being loaded share that one load; a failed load is forgotten, so the next call
 *     tries again), then runs `fn` on it. From the moment a call arrives until `fn` settles, the
 *     model has a call in flight.
 *   - Limits: at most maxModels models (a model being loaded counts, so room is made before the
 *     new one takes memory) and at most maxBytes of loaded models' sizes.
 *   - Over a limit, models are released least recently used first, skipping any with a call in
 *     flight (or still loading) and the most recently used one: a model is never released under
 *     a running call, nor just after being asked for. If every other model is busy the set stays
 *     over its limit until calls finish; it is trimmed again as each call ends. So a model larger
 *     than maxBytes is still served, and kept, alone.
 */

export interface ResidentModel {
  readonly sizeBytes: number;
  close(): Promise<void>;
}

export interface ResidentLimits {
  maxModels?: number | undefined;
  maxBytes?: number | undefined;
}

export interface ResidentInfo {
  id: string;
  sizeBytes: number;
  inFlight: number;
}

interface Entry<T> {
  id: string;
  ready: Promise<T>;
  value: T | undefined;
  inFlight: number;
}

export class ResidentModels<T extends ResidentModel> {
  /** Least recently used first (a Map keeps insertion order; a use re-inserts). */
  readonly #entries = new Map<string, Entry<T>>();
  readonly #releasing = new Set<Promise<void>>();
  #counters = { loads: 0, evictions: 0 };
  readonly #limits: ResidentLimits;
  readonly #onRelease: (id: string, err?: unknown) => void;

  constructor(limits: ResidentLimits, onRelease: (id: string, err?: unknown) => void = () => {}) {
    this.#limits = limits;
    this.#onRelease = onRelease;
  }

  /** Runs `fn` on model `id`, loaded by `load` if it is not resident; see the file header. */
  async use<R>(id: string, load: () => Promise<T>, fn: (model: T) => Promise<R>): Promise<R> {
    let entry = this.#entries.get(id);
    if (entry) this.#entries.delete(id);
    else entry = this.#startLoad(id, load);
    this.#entries.set(id, entry);
    entry.inFlight += 1;
    try {
      this.#trim();
      const model = await entry.ready;
      this.#trim();
      return await fn(model);
    } finally {
      entry.inFlight -= 1;
      this.#trim();
    }
  }

  /** The loaded models' ids, least recently used first. */
  ids(): string[] {
    return this.resident().map((r) => r.id);
  }

  /** The loaded models, least recently used first. */
  resident(): ResidentInfo[] {
    return [...this.#entries.values()].flatMap((e) =>
      e.value === undefined ? [] : [{ id: e.id, sizeBytes: e.value.sizeBytes, inFlight: e.inFlight }],
    );
  }

  /** Whether `id` is resident or being loaded. */
  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The loaded model `id`, if resident (not touched: its place in the LRU order stays). */
  peek(id: string): T | undefined {
    return this.#entries.get(id)?.value;
  }

  get stats(): { loads: number; evictions: number; residentBytes: number } {
    return { ...this.#counters, residentBytes: this.#residentBytes() };
  }

  /** Releases every model (loads in progress included, once they finish). */
  async close(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(
      entries.map((e) =>
        e.ready.then(
          (model) => this.#release(e.id, model),
          () => {},
        ),
      ),
    );
    await Promise.all(this.#releasing);
  }

  #startLoad(id: string, load: () => Promise<T>): Entry<T> {
    const entry = { id, value: undefined, inFlight: 0 } as Entry<T>;
    this.#counters.loads += 1;
    entry.ready = Promise.resolve()
      .then(load)
      .then(
        (model) => {
          entry.value = model;
          return model;
        },
        (err: unknown) => {
          if (this.#entries.get(id) === entry) this.#entries.delete(id);
          throw err;
        },
      );
    return entry;
  }

  /** Releases idle models, least recently used first, while over a limit. */
  #trim(): void {
    const entries = [...this.#entries.values()];
    const mostRecent = entries.at(-1);
    for (const entry of entries) {
      if (!this.#overLimit()) return;
      if (entry === mostRecent || entry.inFlight > 0 || entry.value === undefined) continue;
      this.#entries.delete(entry.id);
      this.#counters.evictions += 1;
      void this.#release(entry.id, entry.value);
    }
  }

  #overLimit(): boolean {
    const { maxModels, maxBytes } = this.#limits;
    if (maxModels !== undefined && this.#entries.size > maxModels) return true;
    return maxBytes !== undefined && this.#residentBytes() > maxBytes;
  }

  #residentBytes(): number {
    let total = 0;
    for (const e of this.#entries.values()) total += e.value?.sizeBytes ?? 0;
    return total;
  }

  #release(id: string, model: T): Promise<void> {
    const done: Promise<void> = model
      .close()
      .then(
        () => this.#onRelease(id),
        (err: unknown) => this.#onRelease(id, err),
      )
      .finally(() => this.#releasing.delete(done));
    this.#releasing.add(done);
    return done;
  }
}
