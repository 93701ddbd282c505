/**
 * Resource accounting on one node: what it has (total, as it registered) minus what the actors
 * placed on it hold (reservations, one per actor). Free resources are always derived, never
 * kept in step by hand, so releasing an actor is deleting its reservation.
 */
import type { NodeResources } from "@neurogrid/schema";

/** What one actor holds on its node: amounts, plus the specific GPU indices it was given. */
export interface Reservation {
  cpus: number;
  memoryMb: number;
  gpuIds: number[];
  custom: Record<string, number>;
}

export function availableResources(total: NodeResources, reservations: Iterable<Reservation>): NodeResources {
  let cpus = total.cpus;
  let memoryMb = total.memoryMb;
  const usedGpus = new Set<number>();
  const custom = { ...total.custom };
  for (const r of reservations) {
    cpus -= r.cpus;
    memoryMb -= r.memoryMb;
    for (const id of r.gpuIds) usedGpus.add(id);
    for (const [name, amount] of Object.entries(r.custom)) custom[name] = (custom[name] ?? 0) - amount;
  }
  return {
    cpus,
    memoryMb,
    gpus: total.gpus.filter((gpu) => !usedGpus.has(gpu.index)),
    custom,
  };
}

/**
 * How busy a node is, in [0, 1]: the mean used fraction over the kinds of resource it has
 * (CPUs, memory, GPUs). A node with nothing of any kind counts as fully loaded.
 */
export function loadOf(total: NodeResources, available: NodeResources): number {
  const fractions: number[] = [];
  if (total.cpus > 0) fractions.push(1 - available.cpus / total.cpus);
  if (total.memoryMb > 0) fractions.push(1 - available.memoryMb / total.memoryMb);
  if (total.gpus.length > 0) fractions.push(1 - available.gpus.length / total.gpus.length);
  if (fractions.length === 0) return 1;
  return fractions.reduce((a, b) => a + b, 0) / fractions.length;
}
