/**
 * The actor processes of this node: one child process per actor (the compiled actor host
 * entry), with CUDA_VISIBLE_DEVICES set to the GPUs the head assigned ("" for none). A start
 * takes a prestarted process from the pool (actor-pool.ts) when one is ready, else forks one;
 * it succeeds once the child reports its Actor service port (actor-handshake.ts).
 *
 * Stopping an actor:
 *   graceful (the default)  the child is asked to stop over IPC (SIGTERM when IPC is gone): it
 *                           refuses new calls, lets accepted ones finish for up to graceMs, and
 *                           exits; SIGKILL if it is still there killGraceMs after the grace.
 *   force                   SIGKILL at once: running calls end UNAVAILABLE at their callers.
 * Children exit by themselves if the worker dies (IPC closes).
 *
 * The worker restarts nothing on its own (the head decides). A child that exits unexpectedly is
 * logged and reported through `onUnexpectedExit`.
 *
 * Metrics (`metrics`, served by the worker's /metrics): an actor's info labels from its ready
 * message while its process lives, and the call-duration deltas its process sends while it
 * serves, under the class the worker started it as (../metrics/actor-metrics.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import { actorProcessAuth, type MemberAuth } from "../auth/cluster-auth.js";
import { ClusterError } from "../errors.js";
import { hostPort } from "../grpc/server.js";
import type { ServerSecurity } from "../grpc/tls.js";
import type { LogFn } from "../logging/logger.js";
import { ActorMetrics } from "../metrics/actor-metrics.js";
import type { ModelSourcePolicy } from "../models/source-policy.js";
import { ACTOR_HOST_MAIN, isChildMessage, PRESTARTED_FLAG } from "../runtime/actor-host-protocol.js";
import type { FaultInjection } from "../runtime/fault-injection.js";
import { actorEnv } from "./actor-env.js";
import { handshake } from "./actor-handshake.js";
import { ActorPool } from "./actor-pool.js";

export interface ActorProcessesOptions {
  /** Interface the actor processes bind. */
  host: string;
  /** Host put in the addresses reported to the head. */
  advertiseHost: string;
  startTimeoutMs: number;
  /** After a graceful stop's grace period, how long before SIGKILL. */
  killGraceMs: number;
  /** Grace period of a graceful stop that names none. */
  stopGraceMs?: number;
  /** Prestarted processes kept ready; 0 (the default here) for none. */
  poolSize?: number;
  /** How the actor processes serve: TLS (the worker's certificate), or plain text. */
  security?: ServerSecurity;
  /** This node's id: an actor process accepts calls from its own worker (auth/rpc-rules.ts). */
  nodeId?: string;
  /** How the worker authenticates; each actor gets its share (auth/cluster-auth.ts). */
  auth?: MemberAuth;
  /** Where this node's model actors may get model bytes (ActorContext.modelSources). */
  modelSources?: ModelSourcePolicy;
  /** Tests only: this node's model actors perturb answers (runtime/fault-injection.ts). */
  faultInjection?: FaultInjection | undefined;
  /** A new actor's first lease (runtime/actor-fence.ts), in ms; 0 or absent: no fence. */
  leaseMs?: () => number;
  /** The head, passed to each actor (ActorContext.cluster) for calls to other actors. */
  headAddress?: string;
  /**
   * The worker's environment: children get only its allow-listed variables (actor-env.ts),
   * with CUDA_VISIBLE_DEVICES set on top.
   */
  baseEnv: NodeJS.ProcessEnv;
  log: LogFn;
  /** Told when a running actor's process exits without being stopped (it crashed, was killed). */
  onUnexpectedExit?: (actorId: string, cause: string, pid: number) => void;
  /** The entry to fork; the compiled actor host by default. */
  entry?: string;
}

export interface StartActorArgs {
  actorId: string;
  className: string;
  initArgs: unknown;
  gpuIds: number[];
  /** 0: the actor class's default. */
  maxConcurrency: number;
  /** The incarnation's fencing epoch from the head (0: none); the process answers as it. */
  epoch: number;
}

export interface StopOptions {
  /** SIGKILL at once instead of a graceful stop. */
  force?: boolean;
  /** Grace period for accepted calls; the worker's default when absent. */
  graceMs?: number;
}

interface ActorProcess {
  child: ChildProcess;
  pid: number;
  epoch: number;
  /** Set once the Actor service is up. */
  address?: string;
  stopping: boolean;
  exited: Promise<void>;
}

const DEFAULT_STOP_GRACE_MS = 5_000;

export class ActorProcesses {
  readonly #processes = new Map<string, ActorProcess>();
  readonly #options: ActorProcessesOptions;
  readonly #pool: ActorPool;
  #closed = false;
  /** Call histograms and info labels of this node's actors, for /metrics. */
  readonly metrics = new ActorMetrics();

  constructor(options: ActorProcessesOptions) {
    this.#options = options;
    this.#pool = new ActorPool({
      size: options.poolSize ?? 0,
      fork: () => this.#fork([PRESTARTED_FLAG], ""),
    });
    this.#pool.fill();
  }

  get count(): number {
    return this.#processes.size;
  }

  /** The actors whose processes run or start now. */
  get actorIds(): string[] {
    return [...this.#processes.keys()];
  }

  /** The actor processes that run or start now. */
  list(): { actorId: string; pid: number; address: string }[] {
    return [...this.#processes].map(([actorId, p]) => ({ actorId, pid: p.pid, address: p.address ?? "" }));
  }

  /** Pids of the prestarted processes ready to become actors. */
  get pooledPids(): number[] {
    return this.#pool.readyPids;
  }

  async start(args: StartActorArgs): Promise<{ address: string; pid: number }> {
    if (this.#closed) throw new ClusterError("UNAVAILABLE", "this worker is stopping");
    let running = this.#processes.get(args.actorId);
    if (running !== undefined && running.epoch !== args.epoch) {
      // An older incarnation of the actor still runs here (the head restarted it since): it
      // must not serve beside the new one.
      await this.#stop(args.actorId, running, { force: true });
      running = this.#processes.get(args.actorId);
    }
    if (running?.address !== undefined) return { address: running.address, pid: running.pid };
    if (running !== undefined) {
      throw new ClusterError("UNAVAILABLE", `actor ${args.actorId} is already starting`);
    }
    const pooled = this.#pool.take();
    const child = pooled ?? this.#fork([], args.gpuIds.join(","));
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    const entry: ActorProcess = { child, pid: child.pid ?? 0, epoch: args.epoch, stopping: false, exited };
    this.#processes.set(args.actorId, entry);
    child.on("error", (err) =>
      this.#options.log(`actor ${args.actorId} (pid ${entry.pid}): ${err.message}`, {
        actorId: args.actorId,
        level: "warn",
      }),
    );
    child.on("message", (message: unknown) => {
      if (isChildMessage(message) && message.type === "calls")
        this.metrics.addCalls(args.className, message.series);
    });
    child.once("exit", (code, signal) => {
      if (this.#processes.get(args.actorId) === entry) {
        this.#processes.delete(args.actorId);
        this.metrics.actorGone(args.actorId);
      }
      if (!entry.stopping && entry.address !== undefined) {
        const cause = `actor process ${entry.pid} exited unexpectedly (${signal ?? code})`;
        this.#options.log(`actor ${args.actorId}: ${cause}`, { actorId: args.actorId });
        this.#options.onUnexpectedExit?.(args.actorId, cause, entry.pid);
      }
    });
    try {
      const { tls, insecure } = this.#options.security ?? {};
      const { host, headAddress, nodeId = "", auth, modelSources, faultInjection } = this.#options;
      const actorAuth = auth === undefined ? undefined : actorProcessAuth(auth, nodeId);
      const start = {
        type: "start",
        ...args,
        host,
        tls,
        insecure,
        headAddress,
        nodeId,
        auth: actorAuth,
        modelSources,
        ...(faultInjection ? { faultInjection } : {}),
        ...((this.#options.leaseMs?.() ?? 0) > 0 ? { leaseMs: this.#options.leaseMs?.() } : {}),
      } as const;
      const { port, info } = await handshake(
        child,
        start,
        this.#options.startTimeoutMs,
        pooled !== undefined,
      );
      entry.address = hostPort(this.#options.advertiseHost, port);
      this.metrics.actorStarted(args.actorId, args.className, info);
      return { address: entry.address, pid: entry.pid };
    } catch (err) {
      await this.#stop(args.actorId, entry, { force: true });
      throw err;
    }
  }

  /** The head answered: every running actor may answer for `validForMs` more (runtime/actor-fence.ts). */
  renewLeases(validForMs: number): void {
    for (const entry of this.#processes.values()) {
      if (entry.address === undefined || entry.stopping || !entry.child.connected) continue;
      entry.child.send({ type: "lease", validForMs }, (err) => {
        if (err) this.#options.log(`lease to actor process ${entry.pid}: ${err.message}`);
      });
    }
  }

  /** Stops an actor's process (gracefully unless `force`); an unknown actor is already gone. */
  async kill(actorId: string, options: StopOptions = {}): Promise<void> {
    const entry = this.#processes.get(actorId);
    if (entry !== undefined) await this.#stop(actorId, entry, options);
  }

  /** Stops every actor process gracefully and the pool; starts are refused from now on. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    await Promise.all([
      this.#pool.stop(),
      ...[...this.#processes].map(([actorId, entry]) => this.#stop(actorId, entry, {})),
    ]);
  }

  #fork(argv: string[], cudaVisibleDevices: string): ChildProcess {
    return fork(this.#options.entry ?? ACTOR_HOST_MAIN, argv, {
      env: { ...actorEnv(this.#options.baseEnv), CUDA_VISIBLE_DEVICES: cudaVisibleDevices },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
  }

  async #stop(actorId: string, entry: ActorProcess, options: StopOptions): Promise<void> {
    entry.stopping = true;
    const { child } = entry;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const graceMs = options.graceMs ?? this.#options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      let killAfterMs = 0;
      if (options.force) child.kill("SIGKILL");
      else {
        if (child.connected) child.send({ type: "stop", graceMs });
        else child.kill("SIGTERM");
        killAfterMs = graceMs + this.#options.killGraceMs;
      }
      const killTimer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      await entry.exited;
      clearTimeout(killTimer);
    }
    if (this.#processes.get(actorId) === entry) {
      this.#processes.delete(actorId);
      this.metrics.actorGone(actorId);
    }
  }
}
