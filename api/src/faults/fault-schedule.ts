import type { Prng } from "../chaos/prng.js";

/**
 * A fault run's schedule, drawn from its seed alone (the same seed gives the same schedule):
 * every kind once, then kinds drawn at random up to `count`, in an order shuffled by the seed;
 * fault i fires once a point drawn in its own slice of the submissions (between 5 % and 85 %
 * of them, one slice per fault, so the faults are spread over the load and come in order) has
 * been answered, plus a delay of 0-400 ms, so a fault rarely lines up with a request boundary.
 */
export const FAULT_KINDS = [
  "head-kill",
  "postgres-stop",
  "redis-restart",
  "worker-pause",
  "head-link-drop",
  "partition",
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ScheduledFault {
  kind: FaultKind;
  /** Fire once this many submissions have been answered. */
  atTask: number;
  delayMs: number;
}

const FIRST = 0.05;
const LAST = 0.85;

export function drawSchedule(rng: Prng, opts: { tasks: number; count: number }): ScheduledFault[] {
  const kinds: FaultKind[] = [...FAULT_KINDS];
  while (kinds.length < opts.count)
    kinds.push(FAULT_KINDS[Math.floor(rng.next() * FAULT_KINDS.length)] as FaultKind);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as FaultKind, kinds[i] as FaultKind];
  }
  const slice = (LAST - FIRST) / kinds.length;
  return kinds.map((kind, i) => ({
    kind,
    atTask: Math.floor((FIRST + slice * (i + rng.next())) * opts.tasks),
    delayMs: Math.round(rng.between(0, 400)),
  }));
}

export function describeSchedule(schedule: ScheduledFault[]): string {
  return schedule
    .map((f, i) => `${i + 1}. ${f.kind} after ${f.atTask} submissions +${f.delayMs} ms`)
    .join("; ");
}
