/**
 * The cluster's resources and the placement decisions on them: nodes (what each has free, in a
 * NodeIndex), and allocations by id (an actor's, or a placement-group bundle's). Pure and
 * synchronous: no I/O, no clock; the head's managers call it and keep their own tables.
 *
 * place() = a policy picks a node (hybrid-policy.ts, spread-policy.ts, node-affinity-policy.ts,
 * narrowed by label-selector.ts), then the node's Capacity takes the demand. Releasing an
 * allocation gives exactly what was taken back to the node it was taken from; removing a node
 * drops its allocations with it (their ids are returned, for the caller's tables).
 */
import type { LabelSelector, NodeResources, ResourceRequest, SchedulingStrategy } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { type Allocation, Capacity } from "./capacity.js";
import { type Demand, toDemand } from "./demand.js";
import { hybridPolicy } from "./hybrid-policy.js";
import { type CompiledSelector, compileSelector, labelKey, matches } from "./label-selector.js";
import { nodeAffinityPolicy } from "./node-affinity-policy.js";
import { type IndexedNode, NodeIndex } from "./node-index.js";
import type { Choice, PolicyContext } from "./policy.js";
import { spreadPolicy } from "./spread-policy.js";

export interface SchedulerOptions {
  /** Hybrid policy: pack nodes up to this utilisation, then spread. Default 0.5 (Ray's). */
  spreadThreshold?: number;
}

export interface PlaceOptions {
  strategy?: SchedulingStrategy | undefined;
  labelSelector?: LabelSelector | undefined;
  /** Nodes not to use (placement groups: STRICT_SPREAD / SPREAD). */
  exclude?: ReadonlySet<string> | undefined;
  /** Nodes to try first, in order, before the strategy (placement groups: PACK). */
  prefer?: readonly string[] | undefined;
}

export interface Placement {
  nodeId: string;
  allocation: Allocation;
}

/** Placed, or why not; `never` when no node now in the cluster could ever host it. */
export type Outcome = { placed: Placement } | { reason: string; never: boolean };

export interface SchedNode extends IndexedNode {
  readonly total: NodeResources;
  readonly allocations: Set<string>;
}

interface Held {
  nodeId: string;
  allocation: Allocation;
}

export class Scheduler {
  readonly #index = new NodeIndex();
  readonly #nodes = new Map<string, SchedNode>();
  readonly #byLabel = new Map<string, NodeIndex>();
  readonly #held = new Map<string, Held>();
  readonly #ctx: PolicyContext;

  constructor(options: SchedulerOptions = {}) {
    this.#ctx = {
      index: this.#index,
      nodes: this.#nodes,
      byLabel: this.#byLabel,
      spreadThreshold: options.spreadThreshold ?? 0.5,
    };
  }

  /** Adds a node with nothing allocated (a node already known is removed first; see removeNode). */
  addNode(nodeId: string, total: NodeResources, labels: Readonly<Record<string, string>> = {}): string[] {
    const dropped = this.removeNode(nodeId);
    const node: SchedNode = {
      nodeId,
      total,
      labels: { ...labels },
      capacity: Capacity.ofNode(total),
      allocations: new Set(),
    };
    this.#nodes.set(nodeId, node);
    this.#index.add(node);
    for (const [key, value] of Object.entries(labels)) {
      const label = labelKey(key, value);
      const index = this.#byLabel.get(label) ?? new NodeIndex();
      this.#byLabel.set(label, index);
      index.add(node);
    }
    return dropped;
  }

  /** Removes a node and every allocation on it; returns those allocations' ids. */
  removeNode(nodeId: string): string[] {
    const node = this.#nodes.get(nodeId);
    if (node === undefined) return [];
    this.#nodes.delete(nodeId);
    for (const index of this.#indexesOf(node)) index.remove(node);
    const ids = [...node.allocations];
    for (const id of ids) this.#held.delete(id);
    return ids;
  }

  hasNode(nodeId: string): boolean {
    return this.#nodes.has(nodeId);
  }

  node(nodeId: string): SchedNode | undefined {
    return this.#nodes.get(nodeId);
  }

  nodes(): IterableIterator<SchedNode> {
    return this.#nodes.values();
  }

  /** Decides where `request` goes and allocates it there under `id` (which must be new). */
  place(id: string, request: ResourceRequest | Demand, options: PlaceOptions = {}): Outcome {
    if (this.#held.has(id)) throw new ClusterError("INTERNAL", `allocation ${id} exists already`);
    const demand = "cpu" in request ? request : toDemand(request);
    const choice = this.decide(demand, options);
    if ("reason" in choice) return choice;
    const node = choice.node as SchedNode;
    const allocation = node.capacity.take(demand);
    if (allocation === undefined)
      throw new ClusterError("INTERNAL", `policy chose ${node.nodeId}, which does not fit`);
    this.#hold(id, node, allocation, options.strategy?.kind === "SPREAD");
    return { placed: { nodeId: node.nodeId, allocation } };
  }

  /** The policy's choice, without allocating. */
  decide(demand: Demand, options: PlaceOptions = {}): Choice {
    const selector: CompiledSelector | undefined = compileSelector(options.labelSelector);
    const { exclude } = options;
    for (const nodeId of options.prefer ?? []) {
      const node = this.#nodes.get(nodeId);
      if (node === undefined || exclude?.has(nodeId) || !matches(selector, node.labels)) continue;
      if (node.capacity.misfit(demand) === undefined) return { node };
    }
    const strategy = options.strategy ?? { kind: "DEFAULT" };
    switch (strategy.kind) {
      case "DEFAULT":
        return hybridPolicy(this.#ctx, demand, selector, exclude);
      case "SPREAD":
        return spreadPolicy(this.#ctx, demand, selector, exclude);
      case "NODE_AFFINITY":
        return nodeAffinityPolicy(this.#ctx, demand, selector, strategy.nodeId, strategy.soft);
      case "PLACEMENT_GROUP":
        throw new ClusterError(
          "INVALID_ARGUMENT",
          "placement-group placement goes through the bundle's capacity",
        );
    }
  }

  /**
   * A node that can host all of `demands` at once (STRICT_PACK), in the hybrid policy's order;
   * undefined when none can now.
   */
  nodeForAll(demands: readonly Demand[], labelSelector: LabelSelector | undefined): string | undefined {
    const first = demands[0];
    if (first === undefined) return undefined;
    const selector = compileSelector(labelSelector);
    const fitsAll = (node: IndexedNode): boolean => {
      if (!matches(selector, node.labels)) return false;
      const taken: Allocation[] = [];
      for (const demand of demands) {
        const allocation = node.capacity.take(demand);
        if (allocation === undefined) break;
        taken.push(allocation);
      }
      for (const allocation of taken) node.capacity.give(allocation);
      return taken.length === demands.length;
    };
    return this.#index.find(first, "pack", this.#ctx.spreadThreshold, fitsAll)?.nodeId;
  }

  /** Allocates exactly `allocation` on `nodeId` (restoring tables); false when it does not fit. */
  restore(id: string, nodeId: string, allocation: Allocation): boolean {
    const node = this.#nodes.get(nodeId);
    if (node === undefined || this.#held.has(id) || !node.capacity.takeExact(allocation)) return false;
    this.#hold(id, node, allocation, false);
    return true;
  }

  /** Gives an allocation back; false when there is none by that id (already released, or its node left). */
  release(id: string): boolean {
    const held = this.#held.get(id);
    if (held === undefined) return false;
    this.#held.delete(id);
    const node = this.#nodes.get(held.nodeId);
    if (node === undefined) return true;
    node.capacity.give(held.allocation);
    node.allocations.delete(id);
    for (const index of this.#indexesOf(node)) index.touch(node, false);
    return true;
  }

  allocation(id: string): Held | undefined {
    return this.#held.get(id);
  }

  #hold(id: string, node: SchedNode, allocation: Allocation, rotate: boolean): void {
    this.#held.set(id, { nodeId: node.nodeId, allocation });
    node.allocations.add(id);
    for (const index of this.#indexesOf(node)) index.touch(node, rotate);
  }

  *#indexesOf(node: SchedNode): Iterable<NodeIndex> {
    yield this.#index;
    for (const [key, value] of Object.entries(node.labels)) {
      const index = this.#byLabel.get(labelKey(key, value));
      if (index !== undefined) yield index;
    }
  }
}
