/** Exponential backoff with jitter, for retrying a head that does not answer (yet). */
export interface Backoff {
  /** The next delay, in ms. */
  next(): number;
  reset(): void;
}

export function exponentialBackoff(
  initialMs = 100,
  maxMs = 2_000,
  random: () => number = Math.random,
): Backoff {
  let attempt = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt += 1;
      return Math.round(base * (0.8 + 0.4 * random()));
    },
    reset() {
      attempt = 0;
    },
  };
}

/** Resolves after ms, or early (without error) when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
