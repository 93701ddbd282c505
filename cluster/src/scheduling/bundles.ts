/**
 * The reserved bundles of placement groups, and the actors placed inside them. A bundle is a
 * small capacity of its own (capacity.ts, made from the allocation reserved on its node): an
 * actor placed into a bundle takes from the bundle, never from the rest of the node, and gives
 * back to the bundle when it goes.
 */
import type { Allocation } from "./capacity.js";
import { Capacity } from "./capacity.js";
import type { Demand } from "./demand.js";

interface Bundle {
  nodeId: string;
  capacity: Capacity;
}

interface Held {
  groupId: string;
  index: number;
  allocation: Allocation;
}

export type BundlePlaceOutcome =
  | { placed: { nodeId: string; allocation: Allocation } }
  | { reason: string; never: boolean };

export class Bundles {
  readonly #groups = new Map<string, (Bundle | undefined)[]>();
  readonly #held = new Map<string, Held>();

  /** Declares a group of `size` bundles, none placed yet (an existing group is kept). */
  declare(groupId: string, size: number): void {
    if (!this.#groups.has(groupId))
      this.#groups.set(
        groupId,
        Array.from({ length: size }, () => undefined),
      );
  }

  /** Bundle `index` is reserved on `nodeId` (its node's capacity names the GPUs). */
  set(groupId: string, index: number, nodeId: string, allocation: Allocation, node: Capacity): void {
    const group = this.#groups.get(groupId);
    if (group !== undefined) group[index] = { nodeId, capacity: Capacity.ofAllocation(allocation, node) };
  }

  /** Bundle `index` is lost (its node died); returns the actors that were in it. */
  drop(groupId: string, index: number): string[] {
    const group = this.#groups.get(groupId);
    if (group !== undefined) group[index] = undefined;
    return this.#evict((h) => h.groupId === groupId && h.index === index);
  }

  /** Forgets the group; returns the actors that were in its bundles. */
  remove(groupId: string): string[] {
    this.#groups.delete(groupId);
    return this.#evict((h) => h.groupId === groupId);
  }

  /** Places an actor into bundle `index` of the group, or into the first that fits when index is -1. */
  place(actorId: string, demand: Demand, groupId: string, index: number): BundlePlaceOutcome {
    const group = this.#groups.get(groupId);
    if (group === undefined) return { reason: `placement group ${groupId} does not exist`, never: true };
    if (index >= group.length || index < -1) {
      return { reason: `placement group ${groupId} has no bundle ${index}`, never: true };
    }
    const reasons: string[] = [];
    for (const [i, bundle] of group.entries()) {
      if (index !== -1 && i !== index) continue;
      if (bundle === undefined) {
        reasons.push(`bundle ${i} is not reserved yet`);
        continue;
      }
      const allocation = bundle.capacity.take(demand);
      if (allocation === undefined) {
        reasons.push(`bundle ${i}: ${bundle.capacity.misfit(demand)}`);
        continue;
      }
      this.#held.set(actorId, { groupId, index: i, allocation });
      return { placed: { nodeId: bundle.nodeId, allocation } };
    }
    return { reason: `placement group ${groupId}: ${reasons.join("; ")}`, never: false };
  }

  /** Gives an actor's share back to its bundle; false when the actor holds none. */
  release(actorId: string): boolean {
    const held = this.#held.get(actorId);
    if (held === undefined) return false;
    this.#held.delete(actorId);
    this.#groups.get(held.groupId)?.[held.index]?.capacity.give(held.allocation);
    return true;
  }

  /** Takes an exact share again (restoring tables); false when it does not fit. */
  restore(actorId: string, groupId: string, index: number, allocation: Allocation): boolean {
    const bundle = this.#groups.get(groupId)?.[index];
    if (bundle === undefined || this.#held.has(actorId) || !bundle.capacity.takeExact(allocation))
      return false;
    this.#held.set(actorId, { groupId, index, allocation });
    return true;
  }

  holds(actorId: string): boolean {
    return this.#held.has(actorId);
  }

  /** Where an actor's share lives, for the actor's record. */
  bundleOf(actorId: string): { groupId: string; index: number } | undefined {
    const held = this.#held.get(actorId);
    return held && { groupId: held.groupId, index: held.index };
  }

  #evict(match: (held: Held) => boolean): string[] {
    const evicted: string[] = [];
    for (const [actorId, held] of this.#held) {
      if (match(held)) {
        this.#held.delete(actorId);
        evicted.push(actorId);
      }
    }
    return evicted;
  }
}
