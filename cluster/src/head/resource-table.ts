/**
 * The head's resource table: the scheduler (scheduling/) fed with the live nodes, the bundles
 * of placement groups, and the allocations of the actors placed on nodes or in bundles. It
 * turns an ActorSpec into a placement decision (strategy, label selector, bundle) and
 * remembers what each actor holds, so releasing an actor gives back exactly what it took, to
 * the node or bundle it came from. Synchronous and in memory; what must survive a head restart
 * is in the actor and placement-group records (each holds its allocation), from which
 * restore() rebuilds this table.
 *
 * onChange listeners hear (synchronously) of every change that may let a waiting request fit:
 * a node joined, something was released, a group's bundles were reserved.
 */
import type {
  ActorSpec,
  LabelSelector,
  NodeResources,
  PlacementStrategy,
  SchedulingStrategy,
} from "@neurogrid/schema";
import { Bundles } from "../scheduling/bundles.js";
import type { Allocation } from "../scheduling/capacity.js";
import { type Demand, toDemand } from "../scheduling/demand.js";
import { reserveBundles } from "../scheduling/placement-group-policy.js";
import { Scheduler } from "../scheduling/scheduler.js";

export interface ActorPlacement {
  nodeId: string;
  gpuIds: number[];
  allocation: Allocation;
  /** Set when the actor is in a placement group's bundle. */
  bundle?: { groupId: string; index: number } | undefined;
}

export interface BundlePlacement {
  index: number;
  nodeId: string;
  gpuIds: number[];
  allocation: Allocation;
}

export type PlaceResult = { placed: ActorPlacement } | { reason: string; never: boolean };
export type ReserveResult = { placed: BundlePlacement[] } | { reason: string; never: boolean };

export interface ResourceTableOptions {
  /** Hybrid policy threshold (see scheduling/hybrid-policy.ts). */
  spreadThreshold?: number;
}

const SEP = "#";

function bundleAllocationId(groupId: string, index: number): string {
  return `${groupId}${SEP}${index}`;
}

export class ResourceTable {
  readonly #scheduler: Scheduler;
  readonly #bundles = new Bundles();
  readonly #listeners: (() => void)[] = [];
  /** node id -> why it takes no new actors (kept while the node is away, applied when it joins). */
  readonly #blockedNodes = new Map<string, string>();

  constructor(options: ResourceTableOptions = {}) {
    this.#scheduler = new Scheduler({ spreadThreshold: options.spreadThreshold });
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** A node joined (or came back): all of it is free. */
  addNode(nodeId: string, total: NodeResources, labels: Readonly<Record<string, string>>): void {
    this.#scheduler.addNode(nodeId, total, labels);
    const blocked = this.#blockedNodes.get(nodeId);
    if (blocked !== undefined) this.#scheduler.node(nodeId)?.capacity.setBlocked(blocked);
    this.#changed();
  }

  /**
   * A node left: its allocations go with it, and so do the bundles reserved on it (and the
   * shares of the actors in them). Returns the groups that lost bundles, with the indices lost.
   */
  removeNode(nodeId: string): Map<string, number[]> {
    const lost = new Map<string, number[]>();
    for (const id of this.#scheduler.removeNode(nodeId)) {
      const cut = id.lastIndexOf(SEP);
      if (cut < 0) continue;
      const groupId = id.slice(0, cut);
      const index = Number(id.slice(cut + 1));
      this.#bundles.drop(groupId, index);
      lost.set(groupId, [...(lost.get(groupId) ?? []), index]);
    }
    return lost;
  }

  hasNode(nodeId: string): boolean {
    return this.#scheduler.hasNode(nodeId);
  }

  placeActor(actorId: string, spec: ActorSpec, demand: Demand = toDemand(spec.resources)): PlaceResult {
    const strategy = spec.schedulingStrategy;
    if (strategy?.kind === "PLACEMENT_GROUP") {
      const out = this.#bundles.place(actorId, demand, strategy.placementGroupId, strategy.bundleIndex);
      if ("reason" in out) return out;
      const bundle = this.#bundles.bundleOf(actorId);
      return { placed: { ...out.placed, gpuIds: gpuIdsOf(out.placed.allocation), bundle } };
    }
    return this.place(actorId, demand, strategy, spec.labelSelector);
  }

  place(
    id: string,
    demand: Demand,
    strategy: SchedulingStrategy | undefined,
    labelSelector: LabelSelector | undefined,
  ): PlaceResult {
    const outcome = this.#scheduler.place(id, demand, { strategy, labelSelector });
    if ("reason" in outcome) return outcome;
    const { nodeId, allocation } = outcome.placed;
    return { placed: { nodeId, allocation, gpuIds: gpuIdsOf(allocation) } };
  }

  /**
   * Reserves bundles `indices` of a group (all of them, or none), following its strategy;
   * `kept` are the nodes of its bundles still reserved (when rescheduling lost ones).
   */
  reserveGroup(
    groupId: string,
    demands: readonly Demand[],
    indices: readonly number[],
    strategy: PlacementStrategy,
    labelSelector: LabelSelector | undefined,
    kept: readonly string[] = [],
  ): ReserveResult {
    this.#bundles.declare(groupId, demands.length);
    const ids = indices.map((i) => bundleAllocationId(groupId, i));
    const wanted = indices.map((i) => demands[i] as Demand);
    const out = reserveBundles(this.#scheduler, ids, wanted, strategy, labelSelector, kept);
    if ("reason" in out) return out;
    const placed = out.placed.map((p, k) => {
      const index = indices[k] ?? 0;
      this.#setBundle(groupId, index, p.nodeId, p.allocation);
      return { index, nodeId: p.nodeId, allocation: p.allocation, gpuIds: gpuIdsOf(p.allocation) };
    });
    this.#changed();
    return { placed };
  }

  /** Frees a group's bundles; returns the actors that were placed in them. */
  releaseGroup(groupId: string, size: number): string[] {
    for (let i = 0; i < size; i++) this.#scheduler.release(bundleAllocationId(groupId, i));
    const evicted = this.#bundles.remove(groupId);
    this.#changed();
    return evicted;
  }

  /** Takes exactly `placement` again (tables restored after a head restart); false if it no longer fits. */
  restore(id: string, placement: ActorPlacement): boolean {
    const { bundle } = placement;
    if (bundle) return this.#bundles.restore(id, bundle.groupId, bundle.index, placement.allocation);
    return this.#scheduler.restore(id, placement.nodeId, placement.allocation);
  }

  /** Takes a group's bundle again (tables restored after a head restart); false if it no longer fits. */
  restoreBundle(groupId: string, size: number, bundle: BundlePlacement): boolean {
    this.#bundles.declare(groupId, size);
    if (
      !this.#scheduler.restore(bundleAllocationId(groupId, bundle.index), bundle.nodeId, bundle.allocation)
    ) {
      return false;
    }
    this.#setBundle(groupId, bundle.index, bundle.nodeId, bundle.allocation);
    return true;
  }

  release(id: string): void {
    if (this.#bundles.release(id) || this.#scheduler.release(id)) this.#changed();
  }

  /**
   * Marks a node's GPU as taking no new actors (`reason`; what it holds stays), or as usable
   * again (undefined): then waiting requests are tried again.
   */
  setGpuUnschedulable(nodeId: string, gpuIndex: number, reason: string | undefined): void {
    const capacity = this.#scheduler.node(nodeId)?.capacity;
    if (capacity === undefined) return;
    if (capacity.setUnschedulable(gpuIndex, reason) && reason === undefined) this.#changed();
  }

  /**
   * Marks a whole node as taking no new actors or bundles (`reason`, e.g. "quarantined: ..."),
   * also across its leaving and joining again, or as usable again (undefined): then waiting
   * requests are tried again. What it holds stays.
   */
  setNodeUnschedulable(nodeId: string, reason: string | undefined): void {
    if (reason === undefined) this.#blockedNodes.delete(nodeId);
    else this.#blockedNodes.set(nodeId, reason);
    const capacity = this.#scheduler.node(nodeId)?.capacity;
    if (capacity?.setBlocked(reason) === true && reason === undefined) this.#changed();
  }

  /** A node's GPUs that take no new actors now (index -> why). */
  unschedulableGpus(nodeId: string): ReadonlyMap<number, string> {
    return this.#scheduler.node(nodeId)?.capacity.unschedulableGpus() ?? new Map();
  }

  /** What the node has free, as ListNodes reports it; undefined for a node not in the table. */
  available(nodeId: string): NodeResources | undefined {
    return this.#scheduler.node(nodeId)?.capacity.available();
  }

  #setBundle(groupId: string, index: number, nodeId: string, allocation: Allocation): void {
    const node = this.#scheduler.node(nodeId);
    if (node !== undefined) this.#bundles.set(groupId, index, nodeId, allocation, node.capacity);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

function gpuIdsOf(allocation: Allocation): number[] {
  return allocation.gpus.map((g) => g.index);
}
