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
 * resource table (so nothing can be placed on it again). Node events (onEvent: REGISTERED,
 * REREGISTERED for a live node registering again, DEAD) are published for watchers, after the
 * join and death listeners have run.
 *
 * Telemetry: a heartbeat may carry the node's latest GPU sample; the head keeps the latest per
 * node and tells telemetry listeners (onTelemetry) of each new sample (a new sampledAtMs), so at
 * most once per heartbeat.
 *
 * Node identity: the head checks the registration's node token (node-auth.ts: a shared cluster
 * token, or a token issued for that very node id) and, with TLS, the identity of the peer's
 * certificate. Each registration gets a fresh random session; the node's later calls
 * (heartbeats, reports) must carry it, so a worker can act only as the node it registered as.
 * A heartbeat with any other session is not counted (the head answers `reregister`), and a
 * report with another session is refused. Sessions live in memory only: after a head restart
 * every node registers again.
 *
 * A live node cannot be taken over: while it is ALIVE, a registration of its id from another
 * host (the advertised address's host, or the connection's peer host) is refused
 * (PERMISSION_DENIED), whatever token it carries; the node registers from elsewhere only once
 * it has died. A per-node token's expiry holds for a connected node too: once it passes, the
 * node is DEAD at the next heartbeat check and cannot register with that token again.
 *
 * Revocation (revoke, the api's revokeNode): the node id is refused for good (kept in storage,
 * so across head restarts); a live node is DEAD at once (its actors restart elsewhere or die,
 * as for any death) and revocation listeners (the head service) close its heartbeat stream.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { type NodeResources, NodeState, type NodeTelemetry } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { type NodeAuthOptions, nodeTokenCheck, type TokenGrant } from "./node-auth.js";
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
  /** Secret of the node's current registration ("" for a node restored from storage). */
  session: string;
  /** The latest GPU telemetry its heartbeats carried. */
  telemetry?: NodeTelemetry | undefined;
  /** When its node token expires (per-node tokens); it is DEAD from then on. */
  tokenExpiresAtMs?: number | undefined;
  /** Host of the connection it registered over (undefined for a node restored from storage). */
  peerHost?: string | undefined;
}

export interface Registration {
  nodeId: string;
  address: string;
  resources: NodeResources;
  labels: Record<string, string>;
  nodeToken: string;
  /** The connection's peer as gRPC names it ("host:port", maybe "ipv4:" first); absent in unit tests. */
  peer?: string | undefined;
  /**
   * Names the peer's certificate holds (TLS); when given, the node id must be one of them.
   * Undefined for a plain-text connection.
   */
  peerNames?: readonly string[] | undefined;
}

export interface NodeManagerOptions extends NodeAuthOptions {
  heartbeatTimeoutMs: number;
  /**
   * A node restored from stored tables (head restart) has the heartbeat timeout plus this to
   * register again before it is DEAD (config-head.ts restoreGraceMs); 0 when absent.
   */
  restoreGraceMs?: number;
  resources: ResourceTable;
  /** Where the node table is kept (see storage.ts); nothing is stored when absent. */
  storage?: HeadStorage | undefined;
  now?: () => number;
}

/** For a death, `lostBundles` are the placement-group bundles that were on the node (group id -> indices). */
export type NodeListener = (node: NodeEntry, lostBundles: ReadonlyMap<string, number[]>) => void;

/** REGISTERED: joined with fresh resources (new, or back from DEAD); REREGISTERED: a live node registered again. */
export type NodeEventType = "REGISTERED" | "REREGISTERED" | "DEAD";

export interface NodeEvent {
  type: NodeEventType;
  /** The node after the event (a copy). */
  node: NodeEntry;
  cause: string;
  /** Head clock, ms since the epoch. */
  atMs: number;
}

const NONE: ReadonlyMap<string, number[]> = new Map();

export class NodeManager {
  readonly #nodes = new Map<string, NodeEntry>();
  readonly #deathListeners: NodeListener[] = [];
  readonly #joinListeners: NodeListener[] = [];
  readonly #eventListeners = new Set<(event: NodeEvent) => void>();
  readonly #telemetryListeners = new Set<(node: NodeEntry, telemetry: NodeTelemetry) => void>();
  readonly #revokeListeners = new Set<(nodeId: string) => void>();
  readonly #revoked = new Set<string>();
  readonly #resources: ResourceTable;
  readonly #storage: HeadStorage | undefined;
  readonly #checkToken: (nodeId: string, token: string) => TokenGrant;
  readonly #heartbeatTimeoutMs: number;
  readonly #restoreGraceMs: number;
  readonly #now: () => number;

  constructor(options: NodeManagerOptions) {
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs;
    this.#restoreGraceMs = options.restoreGraceMs ?? 0;
    this.#now = options.now ?? Date.now;
    this.#checkToken = nodeTokenCheck(options, this.#now);
    this.#resources = options.resources;
    this.#storage = options.storage;
  }

  onNodeDeath(listener: NodeListener): void {
    this.#deathListeners.push(listener);
  }

  onNodeJoin(listener: NodeListener): void {
    this.#joinListeners.push(listener);
  }

  /** Subscribes to node events; returns the unsubscribe function. */
  onEvent(listener: (event: NodeEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Hears each new telemetry sample of a live node; returns the unsubscribe function. */
  onTelemetry(listener: (node: NodeEntry, telemetry: NodeTelemetry) => void): () => void {
    this.#telemetryListeners.add(listener);
    return () => this.#telemetryListeners.delete(listener);
  }

  #publish(type: NodeEventType, node: NodeEntry, cause: string): void {
    const event: NodeEvent = {
      type,
      node: { ...node, labels: { ...node.labels } },
      cause,
      atMs: this.#now(),
    };
    for (const listener of [...this.#eventListeners]) {
      try {
        listener(event);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** Hears each revoked node id (after the node, if it was live, is DEAD); returns the unsubscribe function. */
  onRevoked(listener: (nodeId: string) => void): () => void {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  /**
   * Whether a registration would be accepted (its token, revocation, certificate), registering
   * nothing; returns the token's expiry (undefined: the shared token, or none needed).
   */
  checkRegistration(registration: Omit<Registration, "address" | "resources" | "labels" | "peer">): {
    tokenExpiresAtMs: number | undefined;
  } {
    const grant = this.#checkToken(registration.nodeId, registration.nodeToken);
    if (this.#revoked.has(registration.nodeId))
      throw new ClusterError("UNAUTHENTICATED", `node ${registration.nodeId}: this node was revoked`);
    const { peerNames } = registration;
    if (peerNames !== undefined && !peerNames.includes(registration.nodeId)) {
      throw new ClusterError(
        "UNAUTHENTICATED",
        `node ${registration.nodeId}: the client certificate is not issued for this node id`,
      );
    }
    return { tokenExpiresAtMs: grant.expiresAtMs };
  }

  register(registration: Registration): NodeEntry {
    const grant = { expiresAtMs: this.checkRegistration(registration).tokenExpiresAtMs };
    if (registration.nodeId === "") throw new ClusterError("INVALID_ARGUMENT", "node id is empty");
    if (registration.address === "") throw new ClusterError("INVALID_ARGUMENT", "node address is empty");
    const existing = this.#nodes.get(registration.nodeId);
    const peerHost = peerHostOf(registration.peer);
    if (existing?.state === NodeState.ALIVE && !sameHost(existing, registration.address, peerHost)) {
      throw new ClusterError(
        "PERMISSION_DENIED",
        `node ${registration.nodeId} is alive at ${existing.address}: a registration from ${registration.address} is refused until it has died`,
      );
    }
    // A live node registering again (its heartbeat stream broke and came back) keeps its actors.
    const fresh = existing?.state !== NodeState.ALIVE || !this.#resources.hasNode(registration.nodeId);
    const entry: NodeEntry = {
      nodeId: registration.nodeId,
      address: registration.address,
      state: NodeState.ALIVE,
      total: registration.resources,
      labels: { ...registration.labels },
      lastHeartbeatMs: this.#now(),
      session: randomBytes(18).toString("base64url"),
      telemetry: existing?.state === NodeState.ALIVE ? existing.telemetry : undefined,
      tokenExpiresAtMs: grant.expiresAtMs,
      peerHost,
    };
    this.#nodes.set(entry.nodeId, entry);
    this.#storage?.putNode(stored(entry));
    if (fresh) {
      this.#resources.addNode(entry.nodeId, entry.total, entry.labels);
      for (const listener of this.#joinListeners) listener(entry, NONE);
    }
    const from = `registered from ${entry.address}`;
    this.#publish(fresh ? "REGISTERED" : "REREGISTERED", entry, from);
    return entry;
  }

  /**
   * Records a heartbeat of the node's current registration (`session`); false when the node
   * must register (again) first: unknown, DEAD, or another session.
   */
  heartbeat(nodeId: string, session: string, telemetry?: NodeTelemetry): boolean {
    const node = this.#nodes.get(nodeId);
    if (node === undefined || node.state !== NodeState.ALIVE || !sameSession(node, session)) return false;
    if (tokenExpired(node, this.#now())) return false;
    node.lastHeartbeatMs = this.#now();
    if (telemetry !== undefined && telemetry.sampledAtMs !== node.telemetry?.sampledAtMs) {
      node.telemetry = telemetry;
      for (const listener of [...this.#telemetryListeners]) {
        try {
          listener(node, telemetry);
        } catch {
          // a listener's failure is its own
        }
      }
    }
    return true;
  }

  /**
   * The live node a call comes from, checked against its registration's session (and, with
   * TLS, its certificate's names); UNAUTHENTICATED otherwise.
   */
  authorize(nodeId: string, session: string, peerNames?: readonly string[]): NodeEntry {
    const node = this.#nodes.get(nodeId);
    if (node === undefined || node.state !== NodeState.ALIVE || !sameSession(node, session)) {
      throw new ClusterError("UNAUTHENTICATED", `node ${nodeId}: not registered with this session`);
    }
    if (peerNames !== undefined && !peerNames.includes(nodeId)) {
      throw new ClusterError(
        "UNAUTHENTICATED",
        `node ${nodeId}: the client certificate is not for this node`,
      );
    }
    return node;
  }

  /**
   * Marks DEAD every live node silent for longer than the heartbeat timeout, or whose node token
   * has expired; returns them.
   */
  checkHeartbeats(): NodeEntry[] {
    const now = this.#now();
    const died: { node: NodeEntry; cause: string }[] = [];
    for (const node of this.#nodes.values()) {
      if (node.state !== NodeState.ALIVE) continue;
      if (tokenExpired(node, now)) died.push({ node, cause: "its node token expired" });
      else if (now - node.lastHeartbeatMs > this.#heartbeatTimeoutMs + this.#graceOf(node))
        died.push({ node, cause: this.#silence(node) });
    }
    for (const { node, cause } of died) {
      node.state = NodeState.DEAD;
      this.#died(node, cause);
    }
    return died.map((d) => d.node);
  }

  /**
   * Refuses the node id for good: a live node is DEAD at once (its actors are treated as on a
   * dead node) and revocation listeners hear of it. Returns whether the node was live.
   */
  revoke(nodeId: string): boolean {
    if (nodeId === "") throw new ClusterError("INVALID_ARGUMENT", "node id is empty");
    this.#revoked.add(nodeId);
    this.#storage?.putRevoked(nodeId);
    const node = this.#nodes.get(nodeId);
    const live = node?.state === NodeState.ALIVE;
    if (node !== undefined && live) {
      node.state = NodeState.DEAD;
      node.session = "";
      this.#died(node, "revoked");
    }
    for (const listener of [...this.#revokeListeners]) {
      try {
        listener(nodeId);
      } catch {
        // a listener's failure is its own
      }
    }
    return live;
  }

  /** A restored node that has not registered since the restart (no session yet) has the grace. */
  #graceOf(node: NodeEntry): number {
    return node.session === "" ? this.#restoreGraceMs : 0;
  }

  #silence(node: NodeEntry): string {
    if (node.session === "")
      return `did not register again within ${this.#heartbeatTimeoutMs + this.#restoreGraceMs} ms of the head's restart`;
    return `no heartbeat for ${this.#heartbeatTimeoutMs} ms`;
  }

  /** Node ids revoked before a head restart (stored tables). */
  restoreRevoked(nodeIds: readonly string[]): void {
    for (const nodeId of nodeIds) this.#revoked.add(nodeId);
  }

  /**
   * Adds a node known from stored tables (head restart), ALIVE as of now: it has a heartbeat
   * timeout plus the restore grace to register again (keeping its allocations) before it is DEAD.
   */
  restore(node: StoredNode): NodeEntry {
    const entry: NodeEntry = { ...node, state: NodeState.ALIVE, lastHeartbeatMs: this.#now(), session: "" };
    this.#nodes.set(entry.nodeId, entry);
    this.#resources.addNode(entry.nodeId, entry.total, entry.labels);
    return entry;
  }

  #died(node: NodeEntry, cause: string): void {
    const lost = this.#resources.removeNode(node.nodeId);
    this.#storage?.deleteNode(node.nodeId);
    for (const listener of this.#deathListeners) listener(node, lost);
    this.#publish("DEAD", node, cause);
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

function tokenExpired(node: NodeEntry, now: number): boolean {
  return node.tokenExpiresAtMs !== undefined && now >= node.tokenExpiresAtMs;
}

/** The host of "host:port", "[v6]:port" or gRPC's "ipv4:host:port" / "ipv6:[v6]:port". */
function hostOf(address: string): string {
  const bare = address.replace(/^ipv[46]:/, "");
  const at = bare.lastIndexOf(":");
  return (at < 0 ? bare : bare.slice(0, at)).replace(/^\[|\]$/g, "");
}

function peerHostOf(peer: string | undefined): string | undefined {
  return peer === undefined || peer === "" ? undefined : hostOf(peer);
}

/** Whether a registration comes from where the live node is (either host unknown: not different). */
function sameHost(node: NodeEntry, address: string, peerHost: string | undefined): boolean {
  if (hostOf(node.address) !== hostOf(address)) return false;
  return node.peerHost === undefined || peerHost === undefined || node.peerHost === peerHost;
}

function sameSession(node: NodeEntry, session: string): boolean {
  const expected = Buffer.from(node.session);
  const given = Buffer.from(session);
  return expected.length > 0 && expected.length === given.length && timingSafeEqual(expected, given);
}

function stored(node: NodeEntry): StoredNode {
  return { nodeId: node.nodeId, address: node.address, total: node.total, labels: node.labels };
}
