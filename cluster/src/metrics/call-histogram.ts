/**
 * Call durations as histogram buckets, kept where the calls run (the actor process) and shipped
 * as deltas: the actor host observes every call here (a map lookup and a bucket scan, no I/O),
 * and a timer takes what accumulated since the last take and sends it to the worker over IPC
 * about once a second (actor-host-main.ts), never once per call. The worker adds the deltas up
 * (actor-metrics.ts), so its counts keep growing across actor restarts, as a Prometheus
 * histogram's must.
 *
 * Series are keyed by method and outcome: "ok", or the call's error code in lower case
 * ("cancelled", "internal", "invalid_argument", "unavailable", ...). Method names come from
 * callers, so at most MAX_METHODS distinct names get their own series per actor process; calls
 * to any other method are counted under OTHER_METHOD.
 *
 * Buckets are cumulative only when exposed: a delta carries per-bucket counts (bucket i counts
 * durations in (bounds[i-1], bounds[i]], the last one those above every bound, i.e. +Inf).
 */

/** Upper bounds in seconds: from a sub-millisecond echo to a long generation. */
export const CALL_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Distinct method names with their own series in one actor process. */
const MAX_METHODS = 64;
/** The method label of calls past MAX_METHODS distinct names. */
const OTHER_METHOD = "(other)";

/** One (method, outcome) series: counts per bucket (bounds, then +Inf), their sum and count. */
export interface CallSeries {
  method: string;
  outcome: string;
  buckets: number[];
  sum: number;
  count: number;
}

/** "ok" when the call succeeded, else its error code in lower case. */
export function callOutcome(errorCode: string | undefined): string {
  return errorCode === undefined || errorCode === "" ? "ok" : errorCode.toLowerCase();
}

/** The index of the bucket that counts `seconds` (CALL_DURATION_BUCKETS.length for +Inf). */
function bucketOf(seconds: number): number {
  const bounds = CALL_DURATION_BUCKETS;
  for (let i = 0; i < bounds.length; i += 1) if (seconds <= (bounds[i] as number)) return i;
  return bounds.length;
}

export function emptySeries(method: string, outcome: string): CallSeries {
  return { method, outcome, buckets: new Array(CALL_DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
}

/** Adds `delta`'s counts into `into` (same bucket bounds). */
export function addSeries(into: CallSeries, delta: CallSeries): void {
  for (let i = 0; i < into.buckets.length; i += 1)
    into.buckets[i] = (into.buckets[i] ?? 0) + (delta.buckets[i] ?? 0);
  into.sum += delta.sum;
  into.count += delta.count;
}

export class CallHistogram {
  readonly #series = new Map<string, CallSeries>();
  readonly #methods = new Set<string>();

  /** Counts one call of `method` that ended with `outcome` after `seconds`. */
  observe(method: string, outcome: string, seconds: number): void {
    let name = method;
    if (!this.#methods.has(name)) {
      if (this.#methods.size < MAX_METHODS) this.#methods.add(name);
      else name = OTHER_METHOD;
    }
    const key = `${name}\0${outcome}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = emptySeries(name, outcome);
      this.#series.set(key, series);
    }
    const value = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
    const bucket = bucketOf(value);
    series.buckets[bucket] = (series.buckets[bucket] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  /** What was observed since the last take (series with calls only), and starts over. */
  takeDelta(): CallSeries[] {
    const delta: CallSeries[] = [];
    for (const series of this.#series.values()) {
      if (series.count === 0) continue;
      delta.push({ ...series, buckets: [...series.buckets] });
      series.buckets.fill(0);
      series.sum = 0;
      series.count = 0;
    }
    return delta;
  }
}

/** A delta as it arrives over IPC: checked before it is added up. */
export function isCallSeries(value: unknown): value is CallSeries {
  if (typeof value !== "object" || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.method === "string" &&
    typeof s.outcome === "string" &&
    typeof s.sum === "number" &&
    Number.isFinite(s.sum) &&
    typeof s.count === "number" &&
    Number.isInteger(s.count) &&
    Array.isArray(s.buckets) &&
    s.buckets.length === CALL_DURATION_BUCKETS.length + 1 &&
    s.buckets.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 0)
  );
}
