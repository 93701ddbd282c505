/**
 * Reconciling the actor table with what a node says it runs (the actor ids a worker sends when
 * it registers, e.g. after the head restarted or marked it DEAD). Pure: it says what to do and
 * the actor manager does it.
 *
 *   orphans  processes the worker runs that the head does not place there (unknown actors, DEAD
 *            ones, actors that moved to another node): the worker stops them
 *   missing  actors the head has ALIVE on that node whose process the worker does not run:
 *            lost, as if their process had died (restarted while maxRestarts allow, else DEAD)
 *
 * An actor the head is starting on that node (PENDING_CREATION or RESTARTING) is left alone
 * either way: its StartActor may not have reached the worker yet, and its answer settles it.
 */
import { ActorState } from "@neurogrid/schema";
import type { ActorEntry } from "./actor-table.js";

export interface Reconciliation {
  orphans: string[];
  missing: ActorEntry[];
}

export function reconcileNode(
  entries: Iterable<ActorEntry>,
  byId: (actorId: string) => ActorEntry | undefined,
  nodeId: string,
  running: readonly string[],
): Reconciliation {
  const runs = new Set(running);
  const orphans = [...runs].filter((actorId) => {
    const entry = byId(actorId);
    return entry === undefined || entry.info.state === ActorState.DEAD || entry.placement?.nodeId !== nodeId;
  });
  const missing = [...entries].filter(
    (entry) =>
      entry.info.state === ActorState.ALIVE &&
      entry.placement?.nodeId === nodeId &&
      !runs.has(entry.info.actorId),
  );
  return { orphans, missing };
}
