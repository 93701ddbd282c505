/** Checks an ActorSpec as it arrives at the head, before anything is reserved for it. */
import type { ActorSpec } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { toDemand } from "../scheduling/demand.js";

export function validateSpec(spec: ActorSpec): void {
  if (spec.name === "") throw new ClusterError("INVALID_ARGUMENT", "actor name is empty");
  if (spec.className === "")
    throw new ClusterError("INVALID_ARGUMENT", `actor ${spec.name}: className is empty`);
  toDemand(spec.resources);
  const restarts = spec.maxRestarts ?? 0;
  if (!Number.isInteger(restarts) || restarts < -1) {
    throw new ClusterError("INVALID_ARGUMENT", `maxRestarts must be -1 or more, got ${restarts}`);
  }
  if (spec.lifetime === "owned" && !spec.owner) {
    throw new ClusterError("INVALID_ARGUMENT", `actor ${spec.name}: an owned actor needs an owner`);
  }
  if (spec.lifetime === "detached" && spec.owner) {
    throw new ClusterError("INVALID_ARGUMENT", `actor ${spec.name}: a detached actor has no owner`);
  }
  const strategy = spec.schedulingStrategy;
  if (strategy?.kind === "NODE_AFFINITY" && strategy.nodeId === "") {
    throw new ClusterError("INVALID_ARGUMENT", `actor ${spec.name}: node affinity needs a node id`);
  }
}

/** The owner whose end kills the actor, or undefined for a detached actor. */
export function ownerOf(spec: ActorSpec): string | undefined {
  return spec.lifetime === "detached" ? undefined : spec.owner || undefined;
}

/** Actors are unique by (namespace, name). */
export function actorKey(namespace: string, name: string): string {
  return `${namespace}\u0000${name}`;
}

export function actorLabel(namespace: string, name: string): string {
  return namespace === "" ? name : `${namespace}/${name}`;
}
