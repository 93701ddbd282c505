/** Checks an ActorSpec as it arrives at the head, before anything is reserved for it. */
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";

function nonNegative(value: number, what: string, integer: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    const kind = integer ? "a non-negative integer" : "a non-negative number";
    throw new ClusterError("INVALID_ARGUMENT", `${what} must be ${kind}, got ${value}`);
  }
}

export function validateSpec(spec: ActorSpec): void {
  if (spec.name === "") throw new ClusterError("INVALID_ARGUMENT", "actor name is empty");
  if (spec.className === "")
    throw new ClusterError("INVALID_ARGUMENT", `actor ${spec.name}: className is empty`);
  const { resources } = spec;
  nonNegative(resources.cpus, "resources.cpus", false);
  nonNegative(resources.memoryMb, "resources.memoryMb", true);
  nonNegative(resources.gpus, "resources.gpus", true);
  for (const [name, amount] of Object.entries(resources.custom)) {
    nonNegative(amount, `resources.custom.${name}`, false);
  }
}

/** Actors are unique by (namespace, name). */
export function actorKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

export function actorLabel(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}
