/**
 * A dispatcher's slots: its concurrency bounds the CALLS in flight in its process (jobs' and
 * local starts'), as a Ray Serve handle's max ongoing requests does. An attempt takes a slot for
 * its call and gives it back once the call has ended — its capture (a group commit: it waits for
 * the statement in flight, then its own, then the WAL flush) then counts among the settling,
 * bounded apart (SETTLING_PER_SLOT), so it does not keep the next call waiting — or when the
 * attempt ends before that. Both idempotent. A slot freed may start the local backlog's next
 * task (`onFree`).
 */
export interface Slot {
  callEnded(): void;
  end(): void;
}

/** Attempts settling (call ended, capture being written) per slot, at most. */
const SETTLING_PER_SLOT = 4;
/** How far each local call moves the mean slot time (a moving mean's weight). */
const SLOT_MEAN_WEIGHT = 0.05;

/** A moving mean: `mean` moved by `weight` of the way to `sample` (the sample alone at first). */
export function movingMean(mean: number | undefined, sample: number, weight: number): number {
  return mean === undefined ? sample : mean + weight * (sample - mean);
}

export interface SlotsOptions {
  concurrency: number;
  /** A slot freed, or a call ended. */
  onFree: () => void;
  /** Local calls in flight changed (the queue's worker takes fewer jobs while they run). */
  onLocal: (localActive: number) => void;
  now?: () => number;
}

export class Slots {
  #active = 0;
  #localActive = 0;
  #settling = 0;
  /** How long a local call holds its slot, on average lately: sizes the local backlog. */
  meanSlotMs: number | undefined;
  readonly #opts: SlotsOptions;

  constructor(opts: SlotsOptions) {
    this.#opts = opts;
  }

  /** Whether a call may start now. */
  hasFree(): boolean {
    return (
      this.#active < this.#opts.concurrency && this.#settling < this.#opts.concurrency * SETTLING_PER_SLOT
    );
  }

  take(local: boolean): Slot {
    const now = this.#opts.now ?? (() => performance.now());
    this.#active++;
    if (local) this.#local(+1);
    const began = now();
    let state: "calling" | "settling" | "ended" = "calling";
    const freeCall = () => {
      this.#active--;
      if (local) this.#local(-1);
    };
    return {
      callEnded: () => {
        if (state !== "calling") return;
        state = "settling";
        freeCall();
        // Only calls that ran to their answer size the backlog (not starts given up early).
        if (local) this.meanSlotMs = movingMean(this.meanSlotMs, now() - began, SLOT_MEAN_WEIGHT);
        this.#settling++;
        this.#opts.onFree();
      },
      end: () => {
        if (state === "ended") return;
        if (state === "calling") freeCall();
        else this.#settling--;
        state = "ended";
        this.#opts.onFree();
      },
    };
  }

  #local(delta: 1 | -1): void {
    this.#localActive += delta;
    this.#opts.onLocal(this.#localActive);
  }
}
