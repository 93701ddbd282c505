/**
 * A lying model actor, for tests of result verification only: with fault injection on (the
 * worker's --fault-injection-rate q, refused when NODE_ENV is production: config-worker.ts), a
 * fraction q of the actor's `infer` answers are perturbed before they leave the process: every
 * row of every output rotated by one place along its last axis and shifted by LIE_SHIFT. The
 * answer keeps the model's declared shapes (it passes the api's output check), and differs under
 * every comparison rule (result-comparison.ts): values, the largest index, the top k (no set of
 * k < n indices is the same after a rotation by one). Which answers lie is drawn
 * from a seeded generator, so a run is reproducible. Generation (`generate`) is never perturbed.
 */
import type { TensorMap } from "@neurogrid/schema";
import { mulberry32 } from "../models/prng.js";

/** What a lie adds to every value (after rotating each row). */
const LIE_SHIFT = 0.25;

export interface FaultInjection {
  /** The fraction of `infer` answers perturbed, 0..1. */
  rate: number;
  /** Seeds the draw of which answers lie. */
  seed: number;
}

/** Draws, answer by answer, whether this one lies. */
export function lieDraw(injection: FaultInjection): () => boolean {
  const random = mulberry32(injection.seed);
  return () => random() < injection.rate;
}

/** The outputs as a lying provider returns them. */
export function perturbOutputs(outputs: TensorMap): TensorMap {
  return Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, perturb(value)]));
}

function perturb(value: unknown): unknown {
  if (!Array.isArray(value)) return typeof value === "number" ? value + LIE_SHIFT : value;
  if (value.length > 0 && typeof value[0] === "number") {
    const row = value as number[];
    return row.map((_, i) => Math.fround((row[(i + 1) % row.length] as number) + LIE_SHIFT));
  }
  return value.map(perturb);
}
