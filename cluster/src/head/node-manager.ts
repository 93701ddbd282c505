/**
 * The node table, after Ray's GcsNodeManager: registration (checked against the cluster's node
 * token when the head has one), heartbeats, death detection and per-node resource reservations.
 *
 *   RegisterNode ──▶ ALIVE ──(no heartbeat for heartbeatTimeoutMs)──▶ DEAD
 *                      ▲                                               │
 *                      └──────────── RegisterNode again ◀──────────────┘
 *
 * A heartbeat from a node the head does not know (or has marked DEAD) is answered with
 * `reregister`; the node then registers again and comes back as a fresh ALIVE node with no
 * reservations. Its old actors were marked DEAD when it died (restarting them, and reconciling
 * actor processes a returning node still runs, come in a later issue).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { type NodeResources, NodeState } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { availableResources, type Reservation } from "./node-resources.js";
import type { SchedulableNode } from "./scheduler.js";

export interface NodeEntry {
  nodeId: string;
  /** host:port of the node's Worker service. */
  address: string;
  state: NodeState;
  total: NodeResources;
  labels: Record<string, string>;
  lastHeartbeatMs: number;
  /** By actor id. */
  reservations: Map<string, Reservation>;
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
  now?: () => number;
}

export type NodeDeathListener = (node: NodeEntry) => void;

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

export class NodeManager {
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #deathListeners: NodeDeathListener[] = [];
  readonly #tokenDigest: Buffer | undefined;
  readonly #heartbeatTimeoutMs: number;
  readonly #now: () => number;

  constructor(options: NodeManagerOptions) {
    this.#tokenDigest = options.nodeToken === undefined ? undefined : digest(options.nodeToken);
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#now = options.now ?? Date.now;
  }

  onNodeDeath(listener: NodeDeathListener): void {
    this.#deathListeners.push(listener);
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
    const reservations =
      existing?.state === NodeState.ALIVE ? existing.reservations : new Map<string, Reservation>();
    const entry: NodeEntry = {
      nodeId: registration.nodeId,
      address: registration.address,
      state: NodeState.ALIVE,
      total: registration.resources,
      labels: { ...registration.labels },
      lastHeartbeatMs: this.#now(),
      reservations,
    };
    this.#nodes.set(entry.nodeId, entry);
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
    for (const node of died) {
      for (const listener of this.#deathListeners) listener(node);
      node.reservations.clear();
    }
    return died;
  }

  get(nodeId: string): NodeEntry | undefined {
    return this.#nodes.get(nodeId);
  }

  list(): NodeEntry[] {
    return [...this.#nodes.values()];
  }

  available(node: NodeEntry): NodeResources {
    return availableResources(node.total, node.reservations.values());
  }

  /** The live nodes, as the scheduler sees them. */
  schedulable(): SchedulableNode[] {
    return this.list()
      .filter((node) => node.state === NodeState.ALIVE)
      .map((node) => ({ nodeId: node.nodeId, total: node.total, available: this.available(node) }));
  }

  reserve(nodeId: string, actorId: string, reservation: Reservation): void {
    const node = this.#nodes.get(nodeId);
    if (node === undefined || node.state !== NodeState.ALIVE) {
      throw new ClusterError("UNAVAILABLE", `node ${nodeId} is not alive`);
    }
    node.reservations.set(actorId, reservation);
  }

  release(nodeId: string, actorId: string): void {
    this.#nodes.get(nodeId)?.reservations.delete(actorId);
  }
}
