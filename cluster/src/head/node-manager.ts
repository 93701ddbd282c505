/**
 * The node table, after Ray's GcsNodeManager: registration (checked against the cluster's node
 * token when the head has one), heartbeats and death detection. Each live node is in the
 * resource table (resource-table.ts), which holds what it has free.
 *
 *   RegisterNode ──▶ ALIVE ──(no heartbeat for heartbeatTimeoutMs)──▶ DEAD
 *                      ▲                                               │
 *                      └──────────── RegisterNode again ◀──────────────┘
 *
 * A heartbeat from a node the head does not know (or has marked DEAD) is answered with
 * `reregister`; the node then registers again and comes back as a fresh ALIVE node with nothing
 * allocated. Its actors were restarted elsewhere, or marked DEAD, when it died (see the actor
 * manager). A live node registering again (its heartbeat stream broke) keeps its allocations.
 *
 * Join listeners hear of every node that (re)joins with fresh resources (pending actors may fit
 * now); death listeners hear of each death once the node and its allocations are out of the
 * resource table (so nothing can be placed on it again).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { type NodeResources, NodeState } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import type { ResourceTable } from "./resource-table.js";
import type { HeadStorage, StoredNode } from "./storage.js";

export interface NodeEntry {
  nodeId: string;
  /** host:port of the node's Worker service. */
  address: string;
  state: NodeState;
  total: NodeResources;
  labels: Record<string, string>;
  lastHeartbeatMs: number;
}

export interface Registration {
  nodeId: string;
  address: string;
  resources: NodeResources;
  labels: Record<string, string>;
  nodeToken: string;
}

export interface NodeManagerOptions {
  /** When set, a node must present this token to register. */
  nodeToken?: string | undefined;
  heartbeatTimeoutMs: number;
  resources: ResourceTable;
  /** Where the node table is kept (see storage.ts); nothing is stored when absent. */
  storage?: HeadStorage | undefined;
  now?: () => number;
}

/** For a death, `lostBundles` are the placement-group bundles that were on the node (group id -> indices). */
export type NodeListener = (node: NodeEntry, lostBundles: ReadonlyMap<string, number[]>) => void;

const NONE: ReadonlyMap<string, number[]> = new Map();

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

export class NodeManager {
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #deathListeners: NodeListener[] = [];
  readonly #joinListeners: NodeListener[] = [];
  readonly #resources: ResourceTable;
  readonly #storage: HeadStorage | undefined;
  readonly #tokenDigest: Buffer | undefined;
  readonly #heartbeatTimeoutMs: number;
  readonly #now: () => number;

  constructor(options: NodeManagerOptions) {
    this.#tokenDigest = options.nodeToken === undefined ? undefined : digest(options.nodeToken);
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#now = options.now ?? Date.now;
    this.#resources = options.resources;
    this.#storage = options.storage;
  }

  onNodeDeath(listener: NodeListener): void {
    this.#deathListeners.push(listener);
  }

  onNodeJoin(listener: NodeListener): void {
    this.#joinListeners.push(listener);
  }

  register(registration: Registration): NodeEntry {
    if (
      this.#tokenDigest !== undefined &&
      !timingSafeEqual(digest(registration.nodeToken), this.#tokenDigest)
    ) {
      throw new ClusterError("UNAUTHENTICATED", `node ${registration.nodeId}: bad node token`);
    }
    if (registration.nodeId === "") throw new ClusterError("INVALID_ARGUMENT", "node id is empty");
    if (registration.address === "") throw new ClusterError("INVALID_ARGUMENT", "node address is empty");
    const existing = this.#nodes.get(registration.nodeId);
    // A live node registering again (its heartbeat stream broke and came back) keeps its actors.
    const fresh = existing?.state !== NodeState.ALIVE || !this.#resources.hasNode(registration.nodeId);
    const entry: NodeEntry = {
      nodeId: registration.nodeId,
      address: registration.address,
      state: NodeState.ALIVE,
      total: registration.resources,
      labels: { ...registration.labels },
      lastHeartbeatMs: this.#now(),
    };
    this.#nodes.set(entry.nodeId, entry);
    this.#storage?.putNode(stored(entry));
    if (fresh) {
      this.#resources.addNode(entry.nodeId, entry.total, entry.labels);
      for (const listener of this.#joinListeners) listener(entry, NONE);
    }
    return entry;
  }

  /** Records a heartbeat; false when the node must register (again) first. */
  heartbeat(nodeId: string): boolean {
    const node = this.#nodes.get(nodeId);
    if (node === undefined || node.state !== NodeState.ALIVE) return false;
    node.lastHeartbeatMs = this.#now();
    return true;
  }

  /** Marks DEAD every live node silent for longer than the heartbeat timeout; returns them. */
  checkHeartbeats(): NodeEntry[] {
    const now = this.#now();
    const died: NodeEntry[] = [];
    for (const node of this.#nodes.values()) {
      if (node.state === NodeState.ALIVE && now - node.lastHeartbeatMs > this.#heartbeatTimeoutMs) {
        node.state = NodeState.DEAD;
        died.push(node);
      }
    }
    for (const node of died) this.#died(node);
    return died;
  }

  /**
   * Adds a node known from stored tables (head restart), ALIVE as of now: it has a heartbeat
   * timeout to register again (keeping its allocations) before it is DEAD.
   */
  restore(node: StoredNode): NodeEntry {
    const entry: NodeEntry = { ...node, state: NodeState.ALIVE, lastHeartbeatMs: this.#now() };
    this.#nodes.set(entry.nodeId, entry);
    this.#resources.addNode(entry.nodeId, entry.total, entry.labels);
    return entry;
  }

  #died(node: NodeEntry): void {
    const lost = this.#resources.removeNode(node.nodeId);
    this.#storage?.deleteNode(node.nodeId);
    for (const listener of this.#deathListeners) listener(node, lost);
  }

  get(nodeId: string): NodeEntry | undefined {
    return this.#nodes.get(nodeId);
  }

  list(): NodeEntry[] {
    return [...this.#nodes.values()];
  }

  /** What the node has free (nothing for a DEAD node). */
  available(node: NodeEntry): NodeResources {
    return this.#resources.available(node.nodeId) ?? { cpus: 0, memoryMb: 0, gpus: [], custom: {} };
  }
}

function stored(node: NodeEntry): StoredNode {
  return { nodeId: node.nodeId, address: node.address, total: node.total, labels: node.labels };
}
