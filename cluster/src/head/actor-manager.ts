/**
 * The actor table and lifecycle, after Ray's GcsActorManager. Actors are unique by
 * (namespace, name); the table is in memory (Redis-backed storage comes later).
 *
 *      GetOrCreateActor (no live actor of that name, and a node fits)
 *                        │
 *                        ▼
 *                PENDING_CREATION ──(worker StartActor ok)──▶ ALIVE
 *                        │                                      │
 *   (StartActor failed, or node died while starting)        (node died)
 *                        │                                      │
 *                        ▼                                      │
 *                      DEAD ◀───────────────────────────────────┘
 *
 * Still to come (later issues): ALIVE -> RESTARTING -> ALIVE on failure, bounded by the spec's
 * maxRestarts, actor-process exits reported by the worker, and a bound on how long DEAD actors
 * stay in the table (for now they stay, for GetActor and as history).
 *
 * GetOrCreateActor: an ALIVE actor is returned as is; a PENDING_CREATION one is waited for, so
 * concurrent callers for the same name share one creation and exactly one actor is created; a
 * DEAD one is replaced by a new actor (new actor id) under the same name.
 *
 * Creation: schedule (scheduler.ts) and reserve the node's resources, synchronously; when no
 * node fits, the caller gets RESOURCES_UNAVAILABLE and nothing enters the table. Otherwise the
 * PENDING_CREATION entry goes in the table before the first await (which is what makes creation
 * single-flight), and the head calls the node's Worker.StartActor. On success the actor records
 * its process's address and pid and turns ALIVE; on failure the reservation is freed, the actor
 * is DEAD with the cause, the worker is asked (best effort) to kill whatever it may have started,
 * and the caller gets the error.
 */

import { randomUUID } from "node:crypto";
import { type ActorInfo, type ActorSpec, ActorState } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { asClusterError } from "../grpc/status.js";
import { actorKey, actorLabel, validateSpec } from "./actor-spec.js";
import type { NodeEntry, NodeManager } from "./node-manager.js";
import { schedule } from "./scheduler.js";
import type { WorkerClient } from "./worker-client.js";

interface ActorEntry {
  info: ActorInfo;
  spec: ActorSpec;
  /** Settles when PENDING_CREATION ends; every concurrent GetOrCreate for the name awaits it. */
  creation?: Promise<ActorInfo>;
}

export interface ActorManagerOptions {
  nodes: NodeManager;
  workers: WorkerClient;
  /** How long the head waits for a worker to start an actor process. */
  startTimeoutMs: number;
  newActorId?: () => string;
  log?: (message: string) => void;
}

const KILL_TIMEOUT_MS = 10_000;

export class ActorManager {
  readonly #byName = new Map<string, ActorEntry>();
  readonly #byId = new Map<string, ActorEntry>();
  readonly #nodes: NodeManager;
  readonly #workers: WorkerClient;
  readonly #startTimeoutMs: number;
  readonly #newActorId: () => string;
  readonly #log: (message: string) => void;

  constructor(options: ActorManagerOptions) {
    this.#nodes = options.nodes;
    this.#workers = options.workers;
    this.#startTimeoutMs = options.startTimeoutMs;
    this.#newActorId = options.newActorId ?? (() => randomUUID().replaceAll("-", ""));
    this.#log = options.log ?? (() => {});
    this.#nodes.onNodeDeath((node) => this.#onNodeDeath(node));
  }

  async getOrCreate(spec: ActorSpec): Promise<ActorInfo> {
    validateSpec(spec);
    const key = actorKey(spec.namespace, spec.name);
    const existing = this.#byName.get(key);
    if (existing?.info.state === ActorState.ALIVE) return snapshot(existing.info);
    if (existing?.info.state === ActorState.PENDING_CREATION && existing.creation) return existing.creation;

    // Everything up to the table insert is synchronous: a concurrent caller sees the new entry.
    const actorId = this.#newActorId();
    const placement = schedule(spec.resources, this.#nodes.schedulable());
    this.#nodes.reserve(placement.nodeId, actorId, {
      cpus: spec.resources.cpus,
      memoryMb: spec.resources.memoryMb,
      gpuIds: placement.gpuIds,
      custom: { ...spec.resources.custom },
    });
    const entry: ActorEntry = {
      spec,
      info: {
        actorId,
        name: spec.name,
        namespace: spec.namespace,
        className: spec.className,
        state: ActorState.PENDING_CREATION,
        nodeId: placement.nodeId,
        address: "",
        gpuIds: placement.gpuIds,
        pid: 0,
        deathCause: "",
      },
    };
    this.#byName.set(key, entry);
    this.#byId.set(actorId, entry);
    entry.creation = this.#start(entry);
    return entry.creation;
  }

  /** The current actor of that name (possibly DEAD); NOT_FOUND when there never was one. */
  get(namespace: string, name: string): ActorInfo {
    const entry = this.#byName.get(actorKey(namespace, name));
    if (entry === undefined) {
      throw new ClusterError("NOT_FOUND", `no actor named ${actorLabel(namespace, name)}`);
    }
    return snapshot(entry.info);
  }

  async #start(entry: ActorEntry): Promise<ActorInfo> {
    const { info, spec } = entry;
    const node = this.#nodes.get(info.nodeId);
    if (node === undefined) throw new ClusterError("INTERNAL", `placed on unknown node ${info.nodeId}`);
    try {
      const started = await this.#workers.startActor(
        node.address,
        { actorId: info.actorId, spec, gpuIds: info.gpuIds },
        this.#startTimeoutMs,
      );
      if (info.state !== ActorState.PENDING_CREATION) {
        // The node died while the process was starting; #onNodeDeath has marked the actor DEAD.
        throw new ClusterError("UNAVAILABLE", `actor ${label(info)} died while starting: ${info.deathCause}`);
      }
      info.address = started.address;
      info.pid = started.pid;
      info.state = ActorState.ALIVE;
      this.#log(`actor ${label(info)} (${info.actorId}) ALIVE on ${info.nodeId} at ${info.address}`);
      return snapshot(info);
    } catch (err) {
      const error = asClusterError(err);
      if (info.state === ActorState.PENDING_CREATION) {
        this.#markDead(entry, `creation failed: ${error.message}`);
        this.#workers.killActor(node.address, info.actorId, KILL_TIMEOUT_MS).catch(() => {});
      }
      throw error;
    }
  }

  #markDead(entry: ActorEntry, cause: string): void {
    const { info } = entry;
    info.state = ActorState.DEAD;
    info.deathCause = cause;
    this.#nodes.release(info.nodeId, info.actorId);
    this.#log(`actor ${label(info)} (${info.actorId}) DEAD: ${cause}`);
  }

  #onNodeDeath(node: NodeEntry): void {
    // No restarts yet (later issue): every live actor on a dead node is DEAD.
    for (const entry of this.#byId.values()) {
      if (entry.info.nodeId === node.nodeId && isLive(entry.info.state)) this.#markDead(entry, "node died");
    }
  }
}

function isLive(state: ActorState): boolean {
  return state === ActorState.PENDING_CREATION || state === ActorState.ALIVE;
}

function label(info: ActorInfo): string {
  return actorLabel(info.namespace, info.name);
}

function snapshot(info: ActorInfo): ActorInfo {
  return { ...info, gpuIds: [...info.gpuIds] };
}
