/**
 * Node quarantine: a node the api found giving wrong results (result verification) takes no
 * work until an admin restores it (SetNodeQuarantine, a driver's call: the api's).
 *
 *   usable ──(set: reason)──▶ quarantined ──(set: "", restore)──▶ usable
 *
 * While quarantined, the resource table places nothing new on the node (the pending reason of
 * an actor that fits nowhere else says "quarantined: <reason>"), and quarantine listeners (the
 * actor manager's evictNode) move its actors elsewhere, as after a head-made move, not a
 * failure: no restart is counted. A placement-group bundle already reserved on the node stays,
 * with the actors in it (they could only be placed back in the same bundle); new bundles go
 * elsewhere.
 *
 * The quarantine is the head's, not the node's: it holds for a node id that is not connected,
 * outlives the node's deaths and registrations (the resource table applies it each time the
 * node joins), and is kept in storage, so a restarted head has it back (recovery.ts).
 */
import { ClusterError } from "../errors.js";
import type { ResourceTable } from "./resource-table.js";
import type { HeadStorage, StoredQuarantine } from "./storage.js";

export interface Quarantine {
  reason: string;
  /** Head clock, ms since the epoch, when it began. */
  sinceMs: number;
}

export interface NodeQuarantineOptions {
  resources: ResourceTable;
  storage?: HeadStorage | undefined;
  now?: () => number;
}

/** What a node's quarantine makes its pending reason say (the scheduler's misfit). */
function quarantineMisfit(reason: string): string {
  return `quarantined: ${reason}`;
}

/** Why an actor moved off a quarantined node (its lifecycle event's cause). */
export function quarantineCause(nodeId: string, reason: string): string {
  return `node ${nodeId} is quarantined: ${reason}`;
}

export class NodeQuarantine {
  readonly #entries = new Map<string, Quarantine>();
  readonly #listeners: ((nodeId: string, quarantine: Quarantine) => void)[] = [];
  readonly #resources: ResourceTable;
  readonly #storage: HeadStorage | undefined;
  readonly #now: () => number;

  constructor(options: NodeQuarantineOptions) {
    this.#resources = options.resources;
    this.#storage = options.storage;
    this.#now = options.now ?? Date.now;
  }

  /** Hears each node put in quarantine, once it takes no new actors (not a change of reason). */
  onQuarantined(listener: (nodeId: string, quarantine: Quarantine) => void): void {
    this.#listeners.push(listener);
  }

  /**
   * Quarantines the node (`reason` non-empty; a quarantined node keeps its start time and takes
   * the new reason) or restores it (""). Returns its quarantine now (undefined: not quarantined).
   */
  set(nodeId: string, reason: string): Quarantine | undefined {
    if (nodeId === "") throw new ClusterError("INVALID_ARGUMENT", "node id is empty");
    const before = this.#entries.get(nodeId);
    if (reason === "") {
      if (before === undefined) return undefined;
      this.#entries.delete(nodeId);
      this.#storage?.deleteQuarantine(nodeId);
      this.#resources.setNodeUnschedulable(nodeId, undefined);
      return undefined;
    }
    const quarantine = { reason, sinceMs: before?.sinceMs ?? this.#now() };
    this.#apply({ nodeId, ...quarantine });
    this.#storage?.putQuarantine({ nodeId, ...quarantine });
    if (before === undefined) for (const listener of this.#listeners) listener(nodeId, quarantine);
    return quarantine;
  }

  get(nodeId: string): Quarantine | undefined {
    return this.#entries.get(nodeId);
  }

  /** The quarantines of stored tables (head restart, before nodes and actors are restored). */
  restore(records: readonly StoredQuarantine[]): void {
    for (const record of records) this.#apply(record);
  }

  list(): string[] {
    return [...this.#entries.keys()];
  }

  #apply({ nodeId, reason, sinceMs }: StoredQuarantine): void {
    this.#entries.set(nodeId, { reason, sinceMs });
    this.#resources.setNodeUnschedulable(nodeId, quarantineMisfit(reason));
  }
}
