/**
 * A resource request in the scheduler's own units (a Demand). CPUs, GPU fractions and custom
 * resources are fixed-point integers, UNIT per whole one, so that adding and removing the same
 * amounts any number of times returns exactly to where it started (floats would drift and leak
 * or overcommit a little). Memory and VRAM are whole MiB.
 *
 * GPUs: 0, a fraction of one GPU (0 < gpus < 1, to 1/UNIT), or a whole number of GPUs. VRAM is
 * per GPU the actor gets, and only makes sense with GPUs.
 */
import type { ResourceRequest } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

/** Fixed-point scale: 1 CPU = UNIT units; 0.25 GPU = UNIT / 4. */
export const UNIT = 10_000;

export interface Demand {
  cpu: number;
  memoryMb: number;
  /** Whole GPUs (0 when the request is for a fraction). */
  gpuCount: number;
  /** A fraction of one GPU, in units (0 < gpuFraction < UNIT), or 0. */
  gpuFraction: number;
  /** Per GPU. */
  vramMb: number;
  /** Custom resources with amounts > 0, in units, sorted by name. */
  custom: ReadonlyArray<readonly [string, number]>;
}

export function toUnits(amount: number): number {
  return Math.round(amount * UNIT);
}

export function fromUnits(units: number): number {
  return units / UNIT;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ClusterError("INVALID_ARGUMENT", message);
}

function nonNegative(value: number, what: string, integer: boolean): void {
  const kind = integer ? "a non-negative integer" : "a non-negative number";
  check(
    Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value)),
    `${what} must be ${kind}, got ${value}`,
  );
}

/** Validates a request and converts it; INVALID_ARGUMENT names the field that is wrong. */
export function toDemand(request: ResourceRequest): Demand {
  const vramMb = request.vramMb ?? 0;
  nonNegative(request.cpus, "resources.cpus", false);
  nonNegative(request.memoryMb, "resources.memoryMb", true);
  nonNegative(request.gpus, "resources.gpus", false);
  nonNegative(vramMb, "resources.vramMb", true);
  const gpus = request.gpus;
  check(
    gpus <= 1 || Number.isInteger(gpus),
    `resources.gpus must be a fraction below 1 or a whole number, got ${gpus}`,
  );
  const fraction = gpus < 1 ? toUnits(gpus) : 0;
  check(
    gpus === 0 || gpus >= 1 || fraction > 0,
    `resources.gpus ${gpus} is below the smallest fraction 1/${UNIT}`,
  );
  check(vramMb === 0 || gpus > 0, "resources.vramMb needs resources.gpus > 0");
  const custom: [string, number][] = [];
  for (const [name, amount] of Object.entries(request.custom)) {
    nonNegative(amount, `resources.custom.${name}`, false);
    if (amount > 0) custom.push([name, toUnits(amount)]);
  }
  custom.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    cpu: toUnits(request.cpus),
    memoryMb: request.memoryMb,
    gpuCount: gpus >= 1 ? gpus : 0,
    gpuFraction: fraction,
    vramMb,
    custom,
  };
}

export function wantsGpu(demand: Demand): boolean {
  return demand.gpuCount > 0 || demand.gpuFraction > 0;
}
