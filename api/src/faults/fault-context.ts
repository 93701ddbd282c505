import type { ClusterClient } from "@neurogrid/cluster";
import type { ChaosProcesses } from "../chaos/chaos-processes.js";
import type { Prng } from "../chaos/prng.js";
import type { FaultKind } from "./fault-schedule.js";
import type { LinkProxy } from "./link-proxy.js";
import type { OwnPostgres } from "./own-postgres.js";
import type { OwnRedis } from "./own-redis.js";

/** A worker's link to the head, cut and healed by a partition. */
export interface WorkerLink {
  cut(): void | Promise<void>;
  heal(): void | Promise<void>;
}

/** What a fault may act on: the run's processes and its own PostgreSQL, Redis and link proxies. */
export interface FaultContext {
  processes: ChaosProcesses;
  /** A driver talking to the head directly (not through the proxy). */
  cluster: ClusterClient;
  postgres: OwnPostgres;
  redis: OwnRedis;
  /** In front of the head for the api and the dispatcher. */
  headProxy: LinkProxy;
  /**
   * Each worker's link to the head (by node id), to partition one: its network namespace's veth
   * (netns-links.ts) where the machine allows it, else its TCP proxy (link-proxy.ts).
   */
  workerLinks: Map<string, WorkerLink>;
  nodeIds: string[];
  heartbeatTimeoutMs: number;
  /** A restarted head's extra wait for stored nodes to register again (config-head.ts). */
  restoreGraceMs: number;
  rng: Prng;
  log: (line: string) => void;
}

/** One fault as it happened. */
export interface FaultRecord {
  kind: FaultKind;
  /** What was hit: a node id, or the part's name. */
  target: string;
  /** Seconds since the run began. */
  atS: number;
  /** Submissions answered when it fired. */
  answered: number;
  /** How long until the part was serving again. */
  downMs: number;
  /**
   * For a paused or partitioned node: when the head declared it DEAD (its fence: its actors are restarted
   * elsewhere) and when it was ALIVE again (ms since the epoch). An answer its old actors gave
   * in between is stale.
   */
  fence?: { nodeId: string; deadAt: number; backAt: number };
  /** For a head kill: the live actors the restarted head did not adopt (restarted instead). */
  notAdopted?: number;
  detail?: string;
}

type FaultOutcome = Omit<FaultRecord, "kind" | "atS" | "answered">;

/** A fault kind: inject it, wait until the system is whole again, say what happened. */
export type Fault = (ctx: FaultContext) => Promise<FaultOutcome>;
