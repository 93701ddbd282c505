/**
 * A handle on a deployment (after Ray Serve's DeploymentHandle): each call goes to one replica,
 * chosen by the power of two choices — two random replicas that take calls, the one with fewer
 * of this handle's calls in flight wins (ties at random) — and straight to that replica's own
 * process, as with any actor handle.
 *
 * Load reports: every reportIntervalMs the handle tells the head how many of its calls are in
 * flight or waiting for a replica (the autoscaler's input); the reply is the deployment's
 * current replica list, which is what the handle routes to. A call that finds no replica (a
 * deployment scaled to zero, or replicas still starting) reports at once and waits for one.
 *
 * Failures: a call that a replica cannot take (UNAVAILABLE: it died, or it is draining after a
 * scale-down) is tried on another replica, up to the template's maxTaskRetries (3 by default),
 * within the call's deadline. A streaming call is retried only before its first item. Errors
 * from the model's code are never retried. A replica the head no longer lists as ALIVE (its node
 * declared DEAD) takes this handle's calls in flight with it: they go to another replica at once
 * (replica-losses.ts) rather than wait out their deadline on a link that may never answer.
 * Fencing (../grpc/epoch-fence.ts): a replica that refuses a call as meant for an older
 * incarnation (FAILED_PRECONDITION "stale epoch") means this handle's replica list is out of
 * date: it is refreshed and the call goes to another replica, as for UNAVAILABLE (an answer
 * from another incarnation already arrives as UNAVAILABLE).
 *
 * No replica to call: the call waits for one (the head is asked again every WAIT_POLL_MS, deployment-attempts.ts) until
 * its deadline, then fails UNAVAILABLE ("no replica ready"): nothing ran, so it is not a model's
 * timeout. While the head cannot be reached either, it waits at most headWaitMs and fails
 * UNAVAILABLE saying so: the replicas it knew are gone and nothing can make new ones, so a
 * caller learns it in seconds instead of at its deadline.
 */
import { randomUUID } from "node:crypto";
import { type ActorInfo, ActorState, type DeploymentInfo, type DeploymentSpec } from "@neurogrid/schema";
import { ClusterError, isClusterError } from "../errors.js";
import { isStaleCall } from "../grpc/epoch-fence.js";
import { Attempts } from "./deployment-attempts.js";
import { ReplicaLosses } from "./replica-losses.js";
import type { ActorHandle, CallOptions } from "./types.js";

export interface DeploymentHandleDeps {
  namespace: string;
  name: string;
  report(handleId: string, ongoing: number): Promise<DeploymentInfo>;
  apply(spec: DeploymentSpec): Promise<DeploymentInfo>;
  /** A handle on one replica that does not retry on its own. */
  replica(info: ActorInfo): ActorHandle;
  /** Told every replica of each list the head sends (the newest epoch of each, for fencing). */
  learn?(replica: ActorInfo): void;
  reportIntervalMs: number;
  /** Deadline for calls that set none. */
  defaultTimeoutMs: number | undefined;
  /** How long a call with no replica waits while the head is unreachable (default HEAD_WAIT_MS). */
  headWaitMs?: number;
}

/** A replica chosen ahead of a call, counted in flight there until released. */
export interface ReplicaLease {
  readonly replica: ActorInfo;
  /** Idempotent; a call given the lease releases it when its first attempt ends. */
  release(): void;
}

export interface DeploymentCallOptions extends CallOptions {
  /** Run the first attempt on this replica (from lease()); retries go elsewhere as usual. */
  lease?: ReplicaLease;
  /**
   * Told which replica an attempt goes to, before it is sent (a retry on another replica tells
   * again): a caller that records where its work ran, or who is paid for it, learns it here.
   */
  onReplica?: (replica: ActorInfo) => void | Promise<void>;
  /**
   * The replicas this call may run on (a lease picked now, and every retry); the others are
   * passed over as if absent, so a call that admits none waits for one as for no replica at all.
   * Synchronous: it is asked on every pick. For a caller that keeps some live replicas out of
   * its work (the api's onboarding: a node not yet shown to answer right takes no paid task).
   */
  admit?: (replica: ActorInfo) => boolean;
}

const DEFAULT_RETRIES = 3;
/** A call with no replica waits this long while the head is unreachable. */
const HEAD_WAIT_MS = 3_000;

export class DeploymentHandle {
  readonly handleId = randomUUID();
  readonly #deps: DeploymentHandleDeps;
  #info: DeploymentInfo;
  #routable: ActorInfo[] = [];
  readonly #handles = new Map<string, ActorHandle>();
  readonly #inFlight = new Map<string, number>();
  #waiting = 0;
  readonly #losses = new ReplicaLosses();
  #closed = false;
  readonly #timer: NodeJS.Timeout;

  constructor(info: DeploymentInfo, deps: DeploymentHandleDeps) {
    this.#deps = deps;
    this.#info = info;
    this.#route(info);
    this.#timer = setInterval(() => void this.refresh().catch(() => {}), deps.reportIntervalMs);
    this.#timer.unref();
  }

  /** The deployment as the head last described it to this handle. */
  get info(): DeploymentInfo {
    return this.#info;
  }

  /** This handle's calls in flight, by replica actor id. */
  inFlight(): ReadonlyMap<string, number> {
    return this.#inFlight;
  }

  async call<T = unknown>(method: string, args: unknown, opts: DeploymentCallOptions = {}): Promise<T> {
    const attempts = this.#attempts(opts);
    for (;;) {
      const lease = await this.#attempt(attempts, opts);
      const tracked = this.#losses.track(lease.replica, attempts.options());
      try {
        await opts.onReplica?.(lease.replica);
        return await this.#replica(lease.replica).call<T>(method, args, tracked.options);
      } catch (err) {
        this.#beforeRetry(tracked.lostError(err), lease.replica, attempts);
      } finally {
        tracked.done();
        lease.release();
      }
    }
  }

  async *stream<T = unknown>(
    method: string,
    args: unknown,
    opts: DeploymentCallOptions = {},
  ): AsyncGenerator<T> {
    const attempts = this.#attempts(opts);
    for (;;) {
      const lease = await this.#attempt(attempts, opts);
      const tracked = this.#losses.track(lease.replica, attempts.options());
      let delivered = false;
      try {
        await opts.onReplica?.(lease.replica);
        for await (const item of this.#replica(lease.replica).stream<T>(method, args, tracked.options)) {
          delivered = true;
          yield item;
        }
        return;
      } catch (err) {
        if (delivered) throw tracked.lostError(err);
        this.#beforeRetry(tracked.lostError(err), lease.replica, attempts);
      } finally {
        tracked.done();
        lease.release();
      }
    }
  }

  /**
   * Chooses a replica now (power of two choices, waiting for one if there is none) and counts a
   * call in flight on it until released; pass it as `lease` to the call that runs there. For a
   * caller that must record where the work runs before sending it.
   */
  async lease(opts: CallOptions & Pick<DeploymentCallOptions, "admit"> = {}): Promise<ReplicaLease> {
    return this.#lease(await this.#pick(this.#attempts(opts), opts.admit));
  }

  /**
   * A lease on the least loaded live replica that `accept` takes (ties broken at random; the
   * replica list refreshed from the head once when none of the known ones does, unless
   * `refresh` is false: a caller on a task's hot path asks only what this handle knows), or
   * undefined when no replica is accepted: for a caller that must run on a particular kind of
   * replica (result verification: a node of another provider). It never waits for a replica to
   * be made.
   */
  async leaseWhere(
    accept: (replica: ActorInfo) => boolean | Promise<boolean>,
    opts: { refresh?: boolean } = {},
  ): Promise<ReplicaLease | undefined> {
    const acceptedNow = async () => {
      const accepted: ActorInfo[] = [];
      for (const replica of this.#routable) if (await accept(replica)) accepted.push(replica);
      const load = (r: ActorInfo) => this.#inFlight.get(r.actorId) ?? 0;
      const least = Math.min(...accepted.map(load));
      const idlest = accepted.filter((r) => load(r) === least);
      return idlest[Math.floor(Math.random() * idlest.length)];
    };
    let found = await acceptedNow();
    if (!found && opts.refresh !== false) {
      await this.refresh();
      found = await acceptedNow();
    }
    return found && this.#lease(found);
  }

  /** The first attempt runs on the caller's lease, if any; every other on a replica picked now. */
  async #attempt(attempts: Attempts, opts: DeploymentCallOptions): Promise<ReplicaLease> {
    if (opts.lease && !attempts.leaseUsed) {
      attempts.leaseUsed = true;
      return opts.lease;
    }
    return this.#lease(await this.#pick(attempts, opts.admit));
  }

  #lease(replica: ActorInfo): ReplicaLease {
    this.#enter(replica.actorId);
    let released = false;
    return {
      replica,
      release: () => {
        if (released) return;
        released = true;
        this.#leave(replica.actorId);
      },
    };
  }

  /** Reports this handle's load now and takes the replica list from the reply. */
  async refresh(): Promise<DeploymentInfo> {
    if (this.#closed) return this.#info;
    const ongoing = this.#waiting + [...this.#inFlight.values()].reduce((a, b) => a + b, 0);
    let info: DeploymentInfo;
    try {
      info = await this.#deps.report(this.handleId, ongoing);
    } catch (err) {
      // The head forgot the deployment (it restarted): apply the spec last seen again; the
      // replicas that survived are adopted.
      if (!(isClusterError(err) && err.code === "NOT_FOUND")) throw err;
      info = await this.#deps.apply(this.#info.spec);
    }
    this.#info = info;
    this.#route(info);
    return info;
  }

  /** Stops reporting; calls in flight finish. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  #route(info: DeploymentInfo): void {
    for (const replica of info.replicas) this.#deps.learn?.(replica);
    this.#routable = info.replicas.filter((r) => r.state === ActorState.ALIVE && r.address !== "");
    const live = new Set<string>(this.#routable.map((r) => r.actorId));
    for (const id of this.#handles.keys()) if (!live.has(id)) this.#handles.delete(id);
    this.#losses.keepOnly(this.#routable);
  }

  #replica(info: ActorInfo): ActorHandle {
    let handle = this.#handles.get(info.actorId);
    if (!handle || handle.info.address !== info.address || handle.info.epoch !== info.epoch) {
      handle = this.#deps.replica(info);
      this.#handles.set(info.actorId, handle);
    }
    return handle;
  }

  /** Power of two choices over the admitted replicas this call has not failed on. */
  #choose(avoid: ReadonlySet<string>, admit: DeploymentCallOptions["admit"]): ActorInfo | undefined {
    const admitted = admit ? this.#routable.filter((r) => admit(r)) : this.#routable;
    const candidates = admitted.filter((r) => !avoid.has(r.actorId));
    if (candidates.length === 0) {
      // Every replica failed this call once: any may have come back.
      if (admitted.length === 0) return undefined;
      return admitted[Math.floor(Math.random() * admitted.length)];
    }
    if (candidates.length === 1) return candidates[0];
    const i = Math.floor(Math.random() * candidates.length);
    let j = Math.floor(Math.random() * (candidates.length - 1));
    if (j >= i) j += 1;
    const a = candidates[i] as ActorInfo;
    const b = candidates[j] as ActorInfo;
    const la = this.#inFlight.get(a.actorId) ?? 0;
    const lb = this.#inFlight.get(b.actorId) ?? 0;
    return la < lb ? a : lb < la ? b : Math.random() < 0.5 ? a : b;
  }

  async #pick(attempts: Attempts, admit: DeploymentCallOptions["admit"]): Promise<ActorInfo> {
    const now = this.#choose(attempts.avoid, admit);
    if (now) return now;
    this.#waiting += 1;
    let headLostAt: number | undefined;
    try {
      for (;;) {
        const reached = await this.refresh().then(
          () => true,
          (err: unknown) => {
            if (isClusterError(err) && err.code !== "UNAVAILABLE") throw err;
            return false;
          },
        );
        const found = this.#choose(attempts.avoid, admit);
        if (found) return found;
        headLostAt = reached ? undefined : (headLostAt ?? Date.now());
        if (headLostAt !== undefined && Date.now() - headLostAt >= (this.#deps.headWaitMs ?? HEAD_WAIT_MS)) {
          throw new ClusterError(
            "UNAVAILABLE",
            `deployment ${this.#deps.name} has no live replica, and the head is unreachable`,
          );
        }
        await attempts.pause(`deployment ${this.#deps.name} has no replica ready`);
      }
    } finally {
      this.#waiting -= 1;
    }
  }

  #enter(actorId: string): void {
    this.#inFlight.set(actorId, (this.#inFlight.get(actorId) ?? 0) + 1);
  }

  #leave(actorId: string): void {
    const left = (this.#inFlight.get(actorId) ?? 1) - 1;
    if (left <= 0) this.#inFlight.delete(actorId);
    else this.#inFlight.set(actorId, left);
  }

  /** Rethrows unless the call may go to another replica. */
  #beforeRetry(err: unknown, replica: ActorInfo, attempts: Attempts): void {
    const retryable = isClusterError(err) && (err.code === "UNAVAILABLE" || isStaleCall(err));
    if (!retryable || !attempts.mayRetry()) throw err;
    attempts.avoid.add(replica.actorId);
    this.#routable = this.#routable.filter((r) => r.actorId !== replica.actorId);
    void this.refresh().catch(() => {});
  }

  #attempts(opts: CallOptions): Attempts {
    const retries = this.#info.spec.replica.maxTaskRetries ?? DEFAULT_RETRIES;
    return new Attempts(opts, opts.timeoutMs ?? this.#deps.defaultTimeoutMs, retries);
  }
}
