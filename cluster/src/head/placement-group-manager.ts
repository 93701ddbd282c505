/**
 * Placement groups, after Ray's GcsPlacementGroupManager: a group's bundles are reserved all
 * together or not at all (resource-table.ts, scheduling/placement-group-policy.ts).
 *
 *   CreatePlacementGroup ──▶ PENDING ──(all bundles reserved)──▶ CREATED
 *                              │  ▲                                │
 *        (no room: waits, with │  └──(bundles placed again)── RESCHEDULING ◀─(a bundle's node died)
 *         its pendingReason)   │                                   │
 *                              └────────▶ REMOVED ◀────────────────┘  (RemovePlacementGroup)
 *
 * A PENDING group is tried again whenever resources change (a node joins, something is
 * released). A named group is unique in its namespace: creating it again returns the existing
 * one. Removing a group frees its bundles and kills the actors placed in them. When a node dies
 * only the bundles on it are lost; they are placed again (RESCHEDULING) under the group's
 * strategy, the kept bundles staying where they are; the actors that were in lost bundles
 * restart (or die) like any actor of a dead node, and wait for their bundle.
 */
import { randomUUID } from "node:crypto";
import type { PlacementGroupInfo, PlacementGroupSpec } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import type { LogFn } from "../logging/logger.js";
import { type Demand, toDemand } from "../scheduling/demand.js";
import type { ActorManager } from "./actor-manager.js";
import { actorKey } from "./actor-spec.js";
import { type Deferred, deferred } from "./actor-table.js";
import type { NodeManager } from "./node-manager.js";
import type { BundlePlacement, ResourceTable } from "./resource-table.js";
import { WaitQueue } from "./wait-queue.js";

export interface GroupEntry {
  info: PlacementGroupInfo;
  spec: PlacementGroupSpec;
  /** Allocation of each reserved bundle, by index. */
  placements: (BundlePlacement | undefined)[];
  waiters?: Deferred<PlacementGroupInfo> | undefined;
}

export interface PlacementGroupManagerOptions {
  resources: ResourceTable;
  nodes: NodeManager;
  actors: ActorManager;
  newId?: () => string;
  log?: LogFn;
  /** Called after every change of a group (storage). */
  onChange?: (entry: GroupEntry) => void;
}

export class PlacementGroupManager {
  readonly #groups = new Map<string, GroupEntry>();
  readonly #byName = new Map<string, GroupEntry>();
  /** PENDING and RESCHEDULING groups. */
  readonly #waiting = new WaitQueue<GroupEntry>((entry) => this.#reserve(entry, demandsOf(entry)));
  readonly #o: Required<PlacementGroupManagerOptions>;

  constructor(options: PlacementGroupManagerOptions) {
    this.#o = {
      newId: () => `pg-${randomUUID().replaceAll("-", "").slice(0, 16)}`,
      log: () => {},
      onChange: () => {},
      ...options,
    };
    options.resources.onChange(() => this.#waiting.retrySoon());
    options.nodes.onNodeDeath((_node, lost) => this.bundlesLost(lost));
  }

  /** Creates the group (or returns the existing one of that name); with `wait`, resolves once CREATED. */
  async create(spec: PlacementGroupSpec, wait: boolean): Promise<PlacementGroupInfo> {
    if (spec.bundles.length === 0)
      throw new ClusterError("INVALID_ARGUMENT", "a placement group needs bundles");
    const demands = spec.bundles.map((b) => toDemand(b));
    const existing = spec.name === "" ? undefined : this.#byName.get(actorKey(spec.namespace, spec.name));
    if (existing !== undefined && existing.info.state !== "REMOVED") return this.#answer(existing, wait);
    const entry: GroupEntry = {
      spec,
      placements: spec.bundles.map(() => undefined),
      info: {
        placementGroupId: this.#o.newId(),
        name: spec.name,
        namespace: spec.namespace,
        strategy: spec.strategy,
        state: "PENDING",
        bundles: spec.bundles.map((resources, index) => ({ index, nodeId: "", resources, gpuIds: [] })),
        pendingReason: "",
      },
    };
    this.#groups.set(entry.info.placementGroupId, entry);
    if (spec.name !== "") this.#byName.set(actorKey(spec.namespace, spec.name), entry);
    this.#reserve(entry, demands);
    return this.#answer(entry, wait);
  }

  get(groupId: string): PlacementGroupInfo {
    return snapshot(this.#must(groupId).info);
  }

  list(): PlacementGroupInfo[] {
    return [...this.#groups.values()].map((e) => snapshot(e.info));
  }

  /** Frees the bundles and kills the actors in them; the group is REMOVED. */
  remove(groupId: string): PlacementGroupInfo {
    const entry = this.#must(groupId);
    if (entry.info.state === "REMOVED") return snapshot(entry.info);
    const evicted = this.#o.resources.releaseGroup(groupId, entry.spec.bundles.length);
    entry.info.state = "REMOVED";
    entry.info.pendingReason = "";
    this.#waiting.delete(entry);
    entry.placements = entry.placements.map(() => undefined);
    for (const bundle of entry.info.bundles) Object.assign(bundle, { nodeId: "", gpuIds: [] });
    for (const actorId of evicted) this.#o.actors.killById(actorId, `placement group ${groupId} removed`);
    entry.waiters?.reject(new ClusterError("UNAVAILABLE", `placement group ${groupId} removed`));
    entry.waiters = undefined;
    this.#o.log(`placement group ${groupId} REMOVED`);
    this.#o.onChange(entry);
    return snapshot(entry.info);
  }

  /** Bundles lost with a dead node (see ResourceTable.removeNode): placed again. */
  bundlesLost(lost: ReadonlyMap<string, number[]>): void {
    for (const [groupId, indices] of lost) {
      const entry = this.#groups.get(groupId);
      if (entry === undefined || entry.info.state === "REMOVED") continue;
      for (const index of indices) {
        entry.placements[index] = undefined;
        const bundle = entry.info.bundles[index];
        if (bundle) Object.assign(bundle, { nodeId: "", gpuIds: [] });
      }
      entry.info.state = "RESCHEDULING";
      this.#o.log(
        `placement group ${groupId} RESCHEDULING: bundles ${indices.join(", ")} lost with their node`,
      );
      this.#reserve(entry, demandsOf(entry));
    }
  }

  /** Rebuilds a group from storage (head restart); its bundles are restored as they were. */
  restore(entry: GroupEntry): void {
    this.#groups.set(entry.info.placementGroupId, entry);
    if (entry.spec.name !== "") this.#byName.set(actorKey(entry.spec.namespace, entry.spec.name), entry);
    if (entry.info.state === "REMOVED") return;
    for (const placement of entry.placements) {
      if (
        placement &&
        !this.#o.resources.restoreBundle(entry.info.placementGroupId, entry.spec.bundles.length, placement)
      ) {
        entry.placements[placement.index] = undefined;
        entry.info.state = "RESCHEDULING";
      }
    }
    if (entry.info.state !== "CREATED") this.#reserve(entry, demandsOf(entry));
  }

  #reserve(entry: GroupEntry, demands: Demand[]): void {
    const { info, spec } = entry;
    const missing = entry.placements.flatMap((p, i) => (p === undefined ? [i] : []));
    if (missing.length === 0) return;
    const kept = entry.placements.flatMap((p) => (p === undefined ? [] : [p.nodeId]));
    const out = this.#o.resources.reserveGroup(
      info.placementGroupId,
      demands,
      missing,
      spec.strategy,
      spec.labelSelector,
      kept,
    );
    if ("reason" in out) {
      if (info.pendingReason !== out.reason)
        this.#o.log(`placement group ${info.placementGroupId} waits: ${out.reason}`);
      info.pendingReason = out.reason;
      this.#waiting.add(entry);
      this.#o.onChange(entry);
      return;
    }
    for (const placed of out.placed) {
      entry.placements[placed.index] = placed;
      const bundle = info.bundles[placed.index];
      if (bundle) Object.assign(bundle, { nodeId: placed.nodeId, gpuIds: placed.gpuIds });
    }
    info.state = "CREATED";
    info.pendingReason = "";
    this.#waiting.delete(entry);
    this.#o.log(
      `placement group ${info.placementGroupId} CREATED on ${[...new Set(kept.concat(out.placed.map((p) => p.nodeId)))].join(", ")}`,
    );
    entry.waiters?.resolve(snapshot(info));
    entry.waiters = undefined;
    this.#o.onChange(entry);
  }

  #answer(entry: GroupEntry, wait: boolean): Promise<PlacementGroupInfo> | PlacementGroupInfo {
    if (!wait || entry.info.state === "CREATED") return snapshot(entry.info);
    entry.waiters ??= deferred();
    return entry.waiters.promise;
  }

  #must(groupId: string): GroupEntry {
    const entry = this.#groups.get(groupId);
    if (entry === undefined) throw new ClusterError("NOT_FOUND", `no placement group ${groupId}`);
    return entry;
  }
}

function demandsOf(entry: GroupEntry): Demand[] {
  return entry.spec.bundles.map((b) => toDemand(b));
}

function snapshot(info: PlacementGroupInfo): PlacementGroupInfo {
  return { ...info, bundles: info.bundles.map((b) => ({ ...b, gpuIds: [...b.gpuIds] })) };
}
