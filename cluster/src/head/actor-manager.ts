/**
 * The actor lifecycle, after Ray's GcsActorManager. Actors are unique by (namespace, name).
 *
 *                GetOrCreateActor (no live actor of that name)
 *                               │
 *                               ▼
 *   (no node fits: waits, ┌─────────────────┐ (StartActor failed,
 *    pendingReason says   │ PENDING_CREATION│──────────────────────────────────┐
 *    why; placed when a   └─────────────────┘  KillActor, owner gone)          │
 *    node fits)                 │ StartActor ok                                 │
 *                               ▼                                               ▼
 *                         ┌───────────┐  KillActor, owner gone, or node     ┌──────┐
 *                    ┌───▶│   ALIVE   │──── died with no restarts left ────▶│ DEAD │
 *     StartActor ok  │    └───────────┘                                     └──────┘
 *     on some node   │          │ node/process died, restarts left (restarts++) ▲
 *                    │          ▼                                               │
 *                    │    ┌────────────┐  KillActor, owner gone, StartActor     │
 *                    └────│ RESTARTING │──── failed, node/process died, no ─────┘
 *                         └────────────┘     restarts left
 *                  (waits for a node that fits, like PENDING_CREATION)
 *
 * Every transition is published (actor-events.ts) with its cause, e.g. "node n1 died".
 *
 * GetOrCreateActor: an ALIVE actor is returned as is; a PENDING_CREATION or RESTARTING one is
 * waited for (until ALIVE, or DEAD: an error), so concurrent callers share one creation and
 * exactly one actor is created; a DEAD one is replaced by a new actor (new id), same name.
 * Callers wait up to their own deadline; the actor stays pending after they give up.
 *
 * Placement is synchronous (resource-table.ts) and the table entry goes in before the first
 * await, which makes creation single-flight. An actor no node can host now waits in the pending
 * queue with its reason; the queue is tried again whenever resources free up or a node joins.
 * A start is an attempt: a node death or a kill during the worker's StartActor bumps the
 * attempt number, and the late answer of the old attempt is then ignored (the process it
 * started is killed).
 *
 * Fencing epochs: each start attempt issues the actor's next epoch (ActorInfo.epoch, 1 for the
 * first), stored (and flushed) before the worker is asked, so epochs only grow, across head
 * restarts too. The process runs with it; calls carry the epoch their caller has from this
 * table, answers the epoch of the process that computed them, and a mismatch is refused on
 * either side (grpc/epoch-fence.ts), so an incarnation the head has replaced cannot serve a
 * caller that knows the new one.
 *
 * Restarts (maxRestarts, -1 = forever) count node deaths of ALIVE or
 * RESTARTING actors, and deaths of an ALIVE actor's process that its worker reports
 * (processExited); a PENDING_CREATION actor whose node died is simply placed again. A node that
 * registers says which actor processes it runs, and the table is reconciled with that
 * (actor-reconcile.ts).
 * Lifetime: an owned actor (owner = a driver session) dies with its owner; detached ones live
 * until KillActor. Killing is DEAD at once (no restart) plus a best-effort Worker.KillActor.
 */
import { randomUUID } from "node:crypto";
import { type ActorInfo, type ActorSpec, ActorState } from "@neurogrid/schema";
import { ClusterError } from "../errors.js";
import { asClusterError } from "../grpc/status.js";
import type { LogFn } from "../logging/logger.js";
import { type ActorEventListener, ActorEvents } from "./actor-events.js";
import { reconcileNode } from "./actor-reconcile.js";
import { actorLabel, ownerOf, validateSpec } from "./actor-spec.js";
import { type ActorEntry, ActorTable, deferred, newEntry, snapshot } from "./actor-table.js";
import type { NodeEntry, NodeManager } from "./node-manager.js";
import type { ResourceTable } from "./resource-table.js";
import type { HeadStorage, StoredActor } from "./storage.js";
import { WaitQueue } from "./wait-queue.js";
import type { KillOptions, WorkerClient } from "./worker-client.js";

export interface ActorManagerOptions {
  nodes: NodeManager;
  resources: ResourceTable;
  workers: WorkerClient;
  /** How long the head waits for a worker to start an actor process. */
  startTimeoutMs: number;
  /** Where the actor table is kept (storage.ts); nothing is stored when absent. */
  storage?: HeadStorage | undefined;
  /** Whether an owner (driver session) is open; owned actors of a closed one are refused. */
  ownerAlive?: (owner: string) => boolean;
  newActorId?: () => string;
  now?: () => number;
  log?: LogFn;
}

const KILL_TIMEOUT_MS = 10_000;
/** How long a graceful shutdown with the worker's default grace period may take, at most. */
const GRACE_UNKNOWN_MS = 60_000;

export class ActorManager {
  readonly table: ActorTable;
  readonly events = new ActorEvents();
  readonly #pending = new WaitQueue<ActorEntry>((entry) => this.#schedule(entry));
  readonly #o: Required<Omit<ActorManagerOptions, "storage">>;

  constructor(options: ActorManagerOptions) {
    this.#o = {
      ownerAlive: () => true,
      newActorId: () => randomUUID().replaceAll("-", ""),
      now: Date.now,
      log: () => {},
      ...options,
    };
    this.table = new ActorTable(options.storage);
    options.nodes.onNodeDeath((node) => this.#onNodeDeath(node));
    options.resources.onChange(() => this.#pending.retrySoon());
  }

  onEvent(listener: ActorEventListener): () => void {
    return this.events.on(listener);
  }

  async getOrCreate(spec: ActorSpec): Promise<ActorInfo> {
    validateSpec(spec);
    const existing = this.table.byName(spec.namespace, spec.name);
    if (existing?.info.state === ActorState.ALIVE) return snapshot(existing.info);
    if (existing?.waiters) return existing.waiters.promise;
    const owner = ownerOf(spec);
    if (owner !== undefined && !this.#o.ownerAlive(owner)) {
      throw new ClusterError(
        "INVALID_ARGUMENT",
        `owner ${owner} of ${actorLabel(spec.namespace, spec.name)} is not open`,
      );
    }
    if (existing) this.table.forget(existing);
    const entry = newEntry(this.#o.newActorId(), spec);
    this.table.put(entry);
    this.#publish(entry, undefined, "created");
    this.#schedule(entry);
    return (entry.waiters as { promise: Promise<ActorInfo> }).promise;
  }

  /** The current actor of that name (possibly DEAD); NOT_FOUND when there never was one. */
  get(namespace: string, name: string): ActorInfo {
    return snapshot(this.table.mustByName(namespace, name).info);
  }

  list(namespace?: string): ActorInfo[] {
    return this.table.current(namespace).map((e) => snapshot(e.info));
  }

  /**
   * Kills the named actor for good (DEAD at once, no restart); returns it. Its process is killed
   * at once, or shut down gracefully (`kill.graceful`: it finishes accepted calls first, and
   * keeps its resources until it has exited).
   */
  kill(namespace: string, name: string, kill: KillOptions = {}): ActorInfo {
    const entry = this.table.mustByName(namespace, name);
    this.killById(entry.info.actorId, "killed", kill);
    return snapshot(entry.info);
  }

  /** Kills an actor by id (its placement group was removed, ...); a no-op for an unknown or DEAD one. */
  killById(actorId: string, cause: string, kill: KillOptions = {}): void {
    const entry = this.table.byId(actorId);
    if (entry !== undefined && entry.info.state !== ActorState.DEAD) {
      this.#die(
        entry,
        cause,
        new ClusterError("UNAVAILABLE", `actor ${label(entry)}: ${cause}`),
        false,
        kill,
      );
    }
  }

  /** The owners (driver sessions) of the actors not DEAD. */
  owners(): Set<string> {
    return new Set(this.#live().flatMap((entry) => ownerOf(entry.spec) ?? []));
  }

  /** The owner (a driver session) ended: its owned actors die. */
  ownerGone(owner: string): void {
    for (const entry of this.#live())
      if (ownerOf(entry.spec) === owner) this.killById(entry.info.actorId, `owner ${owner} exited`);
  }

  /**
   * A worker reported that the actor's process `pid` exited on its own: the actor is lost as on
   * a node death (restarted while maxRestarts allow, else DEAD with the cause). A report about
   * an actor the head does not have ALIVE on that node, or about an older process, is ignored.
   */
  processExited(nodeId: string, actorId: string, pid: number, cause: string): boolean {
    const entry = this.table.byId(actorId);
    if (
      entry?.info.state !== ActorState.ALIVE ||
      entry.placement?.nodeId !== nodeId ||
      entry.info.pid !== pid
    )
      return false;
    this.#lose(entry, `${cause} on node ${nodeId}`);
    return true;
  }

  /** A node registered running the actor processes `running`: see actor-reconcile.ts. */
  reconcile(nodeId: string, running: readonly string[]): void {
    const { orphans, missing } = reconcileNode(
      this.table.all(),
      (id) => this.table.byId(id),
      nodeId,
      running,
    );
    const address = this.#o.nodes.get(nodeId)?.address;
    for (const actorId of orphans) {
      this.#o.log(`node ${nodeId} runs actor ${actorId}, which the head does not place there: stopping it`, {
        actorId,
        nodeId,
      });
      if (address !== undefined) this.#killProcess(address, actorId);
    }
    for (const entry of missing) this.#lose(entry, `its process is not running on node ${nodeId} any more`);
  }

  /**
   * Moves the actors placed on the node elsewhere (it is quarantined: node-quarantine.ts), as a
   * move the head decided, not a failure: an ALIVE actor's process is killed and it is
   * RESTARTING with no restart counted; one being started is placed again. Actors in a
   * placement-group bundle stay (their bundle is on the node). Returns how many moved.
   */
  evictNode(nodeId: string, cause: string): number {
    const address = this.#o.nodes.get(nodeId)?.address;
    let moved = 0;
    for (const entry of this.#live()) {
      if (entry.placement?.nodeId !== nodeId || entry.placement.bundle !== undefined) continue;
      const alive = entry.info.state === ActorState.ALIVE;
      this.#lose(entry, cause, false);
      if (alive && address !== undefined) this.#killProcess(address, entry.info.actorId);
      moved++;
    }
    return moved;
  }

  #live(): ActorEntry[] {
    return [...this.table.all()].filter((entry) => entry.info.state !== ActorState.DEAD);
  }

  /** Places the actor, or queues it with the reason; starts it when placed. */
  #schedule(entry: ActorEntry): void {
    const result = this.#o.resources.placeActor(entry.info.actorId, entry.spec);
    if ("reason" in result) {
      entry.info.pendingReason = result.reason;
      if (this.#pending.add(entry)) {
        this.#o.log(`actor ${label(entry)} (${entry.info.actorId}) pending: ${result.reason}`, {
          actorId: entry.info.actorId,
        });
      }
      return;
    }
    this.#pending.delete(entry);
    entry.placement = result.placed;
    Object.assign(entry.info, {
      nodeId: result.placed.nodeId,
      gpuIds: result.placed.gpuIds,
      pendingReason: "",
    });
    this.table.save(entry);
    void this.#start(entry);
  }

  async #start(entry: ActorEntry): Promise<void> {
    const { info, spec } = entry;
    const attempt = ++entry.attempt;
    const node = this.#o.nodes.get(info.nodeId);
    if (node === undefined) {
      this.#die(entry, `placed on unknown node ${info.nodeId}`, new ClusterError("INTERNAL", "unknown node"));
      return;
    }
    // This incarnation's epoch, stored before any worker hears it: no head, this one or one
    // restarted from the stored table, issues it again.
    const epoch = (info.epoch ?? 0) + 1;
    info.epoch = epoch;
    this.table.save(entry);
    try {
      await this.table.flush();
      if (entry.attempt !== attempt) return;
      const started = await this.#o.workers.startActor(
        node.address,
        { actorId: info.actorId, spec, gpuIds: info.gpuIds, epoch },
        this.#o.startTimeoutMs,
      );
      if (entry.attempt !== attempt) {
        // Killed, or its node died, while starting: that process is not wanted any more.
        this.#killProcess(node.address, info.actorId);
        return;
      }
      const from = info.state;
      Object.assign(info, { address: started.address, pid: started.pid, state: ActorState.ALIVE });
      this.#publish(entry, from, `started on node ${info.nodeId}`);
      entry.waiters?.resolve(snapshot(info));
      entry.waiters = undefined;
    } catch (err) {
      if (entry.attempt !== attempt) return;
      const error = asClusterError(err);
      const what = info.state === ActorState.RESTARTING ? "restart" : "creation";
      this.#die(entry, `${what} failed: ${error.message}`, error);
    }
  }

  /**
   * DEAD for good; the process (if any may run) is killed unless its node is gone. A graceful
   * kill of a running process keeps its resources until the process has exited.
   */
  #die(entry: ActorEntry, cause: string, error: Error, nodeGone = false, kill: KillOptions = {}): void {
    const { info } = entry;
    const from = info.state;
    entry.attempt++;
    this.#pending.delete(entry);
    const nodeAddress = this.#o.nodes.get(info.nodeId)?.address;
    const hadProcess = info.pid > 0 || from === ActorState.PENDING_CREATION || from === ActorState.RESTARTING;
    const drains =
      kill.graceful === true && from === ActorState.ALIVE && nodeAddress !== undefined && !nodeGone;
    if (drains)
      entry.placement = undefined; // released once the process has exited (below)
    else this.#release(entry);
    Object.assign(info, { state: ActorState.DEAD, deathCause: cause, pendingReason: "", address: "" });
    this.#publish(entry, from, cause);
    entry.waiters?.reject(error);
    entry.waiters = undefined;
    if (drains) {
      const release = () => this.#o.resources.release(info.actorId);
      this.#killProcess(nodeAddress, info.actorId, kill).then(release, release);
    } else if (nodeAddress !== undefined && hadProcess && !nodeGone)
      this.#killProcess(nodeAddress, info.actorId);
  }

  #release(entry: ActorEntry): void {
    if (entry.placement === undefined) return;
    entry.placement = undefined;
    this.#o.resources.release(entry.info.actorId);
  }

  #onNodeDeath(node: NodeEntry): void {
    for (const entry of [...this.table.all()]) {
      if (entry.placement?.nodeId === node.nodeId && entry.info.state !== ActorState.DEAD) {
        this.#lose(entry, `node ${node.nodeId} died`);
      }
    }
  }

  /**
   * The actor's node (or its allocation) is gone: placed again if it was still being created,
   * restarted while maxRestarts allows, else DEAD. A move (`counts` false: the head took it off
   * its node) is a restart that maxRestarts does not limit or count.
   */
  #lose(entry: ActorEntry, cause: string, counts = true): void {
    const { info } = entry;
    if (entry.placement !== undefined) this.#o.resources.release(info.actorId);
    entry.placement = undefined;
    entry.attempt++;
    const from = info.state;
    if (from === ActorState.PENDING_CREATION) {
      Object.assign(info, { nodeId: "", gpuIds: [], address: "", pid: 0 });
      entry.waiters ??= deferred();
      this.#schedule(entry);
      return;
    }
    const max = entry.spec.maxRestarts ?? 0;
    const restarts = info.numRestarts ?? 0;
    if (counts && from === ActorState.ALIVE && max !== -1 && restarts >= max) {
      this.#die(entry, cause, new ClusterError("UNAVAILABLE", `actor ${label(entry)}: ${cause}`), true);
      return;
    }
    if (counts && from === ActorState.ALIVE) info.numRestarts = restarts + 1;
    Object.assign(info, { state: ActorState.RESTARTING, nodeId: "", gpuIds: [], address: "", pid: 0 });
    entry.waiters ??= deferred();
    this.#publish(entry, from, cause);
    this.#schedule(entry);
  }

  /**
   * Loads the stored actor table (head restart, before serving): ALIVE actors take their
   * allocations back; one whose node is not in the cluster any more is lost as if the node had
   * died. An actor caught mid-start is placed again (a process the old head may have started
   * is killed).
   */
  restore(records: readonly StoredActor[], names: ReadonlyMap<string, string>): void {
    for (const entry of this.table.restore(records, names)) {
      const { info, placement } = entry;
      if (info.state === ActorState.DEAD) continue;
      if (info.state === ActorState.ALIVE && placement && this.#o.resources.restore(info.actorId, placement))
        continue;
      if (info.state !== ActorState.ALIVE && placement) {
        const address = this.#o.nodes.get(placement.nodeId)?.address;
        if (address !== undefined) this.#killProcess(address, info.actorId);
      }
      entry.placement = undefined;
      if (info.state === ActorState.ALIVE)
        this.#lose(entry, `node ${info.nodeId} is not in the cluster after a head restart`);
      else this.#lose(entry, "head restarted while it was starting");
    }
  }

  /** SIGKILL unless `kill.graceful`; resolves once the worker says the process exited, or gave up. */
  #killProcess(workerAddress: string, actorId: string, kill: KillOptions = {}): Promise<void> {
    const timeoutMs = kill.graceful ? (kill.graceMs ?? GRACE_UNKNOWN_MS) + KILL_TIMEOUT_MS : KILL_TIMEOUT_MS;
    return this.#o.workers.killActor(workerAddress, actorId, timeoutMs, kill).catch(() => {});
  }

  #publish(entry: ActorEntry, from: ActorState | undefined, cause: string): void {
    if (from !== entry.info.state)
      this.#o.log(`actor ${label(entry)} (${entry.info.actorId}) ${entry.info.state}: ${cause}`, {
        actorId: entry.info.actorId,
        nodeId: entry.info.nodeId || undefined,
      });
    this.table.save(entry);
    this.events.emit({ actor: snapshot(entry.info), from, cause, atMs: this.#o.now() });
  }
}

function label(entry: ActorEntry): string {
  return actorLabel(entry.info.namespace, entry.info.name);
}
