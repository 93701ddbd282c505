/**
 * The actor processes of this node: one child process per actor (fork of the compiled actor
 * host entry), with CUDA_VISIBLE_DEVICES set to the GPUs the head assigned ("" for none). A
 * start succeeds once the child reports its Actor service port over IPC; it fails with the
 * child's own error, when the child exits first, or after startTimeoutMs. Stopping is SIGTERM,
 * then SIGKILL after killGraceMs. Children exit by themselves if the worker dies (IPC closes).
 *
 * The worker restarts nothing on its own (the head decides). A child that exits unexpectedly is
 * only logged for now; reporting it to the head comes with actor restarts (later issue).
 */
import { type ChildProcess, fork } from "node:child_process";
import { ClusterError } from "../errors.js";
import { hostPort } from "../grpc/server.js";
import {
  ACTOR_HOST_MAIN,
  type ActorHostStart,
  type ChildMessage,
  isChildMessage,
} from "../runtime/actor-host-protocol.js";

export interface ActorProcessesOptions {
  /** Interface the actor processes bind. */
  host: string;
  /** Host put in the addresses reported to the head. */
  advertiseHost: string;
  startTimeoutMs: number;
  killGraceMs: number;
  /** Environment the children inherit (CUDA_VISIBLE_DEVICES is set on top). */
  baseEnv: NodeJS.ProcessEnv;
  log: (message: string) => void;
  /** The entry to fork; the compiled actor host by default. */
  entry?: string;
}

export interface StartActorArgs {
  actorId: string;
  className: string;
  initArgs: unknown;
  gpuIds: number[];
}

interface ActorProcess {
  child: ChildProcess;
  pid: number;
  /** Set once the Actor service is up. */
  address?: string;
  stopping: boolean;
  exited: Promise<void>;
}

export class ActorProcesses {
  readonly #processes = new Map<string, ActorProcess>();
  readonly #options: ActorProcessesOptions;
  #closed = false;

  constructor(options: ActorProcessesOptions) {
    this.#options = options;
  }

  get count(): number {
    return this.#processes.size;
  }

  async start(args: StartActorArgs): Promise<{ address: string; pid: number }> {
    if (this.#closed) throw new ClusterError("UNAVAILABLE", "this worker is stopping");
    const running = this.#processes.get(args.actorId);
    if (running?.address !== undefined) return { address: running.address, pid: running.pid };
    if (running !== undefined) {
      throw new ClusterError("UNAVAILABLE", `actor ${args.actorId} is already starting`);
    }

    const child = fork(this.#options.entry ?? ACTOR_HOST_MAIN, [], {
      env: { ...this.#options.baseEnv, CUDA_VISIBLE_DEVICES: args.gpuIds.join(",") },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const entry: ActorProcess = { child, pid: child.pid ?? 0, stopping: false, exited };
    this.#processes.set(args.actorId, entry);
    child.on("error", (err) => this.#options.log(`actor ${args.actorId} (pid ${entry.pid}): ${err.message}`));
    child.once("exit", (code, signal) => {
      if (this.#processes.get(args.actorId) === entry) this.#processes.delete(args.actorId);
      if (!entry.stopping && entry.address !== undefined) {
        // Reporting this to the head (so it can restart the actor) comes in a later issue.
        this.#options.log(`actor ${args.actorId} (pid ${entry.pid}) exited unexpectedly (${signal ?? code})`);
      }
    });

    try {
      const port = await this.#handshake(child, {
        type: "start",
        actorId: args.actorId,
        className: args.className,
        initArgs: args.initArgs,
        gpuIds: args.gpuIds,
        host: this.#options.host,
      });
      entry.address = hostPort(this.#options.advertiseHost, port);
      return { address: entry.address, pid: entry.pid };
    } catch (err) {
      await this.#stop(args.actorId, entry);
      throw err;
    }
  }

  /** Stops an actor's process; an unknown actor is not an error (already gone). */
  async kill(actorId: string): Promise<void> {
    const entry = this.#processes.get(actorId);
    if (entry !== undefined) await this.#stop(actorId, entry);
  }

  /** Stops every actor process; starts are refused from now on. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#processes].map(([actorId, entry]) => this.#stop(actorId, entry)));
  }

  #handshake(child: ChildProcess, start: ActorHostStart): Promise<number> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.off("error", onError);
      };
      const fail = (error: ClusterError) => {
        cleanup();
        reject(error);
      };
      const onMessage = (message: unknown) => {
        if (!isChildMessage(message)) return;
        handle(message);
      };
      const handle = (message: ChildMessage) => {
        if (message.type === "hello") child.send(start);
        else if (message.type === "ready") {
          cleanup();
          resolve(message.port);
        } else
          fail(new ClusterError(message.code, `actor ${start.actorId} failed to start: ${message.message}`));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        fail(
          new ClusterError(
            "INTERNAL",
            `actor ${start.actorId} process exited while starting (${signal ?? code})`,
          ),
        );
      const onError = (err: Error) =>
        fail(
          new ClusterError("INTERNAL", `actor ${start.actorId} process failed: ${err.message}`, {
            cause: err,
          }),
        );
      const timer = setTimeout(
        () =>
          fail(
            new ClusterError(
              "DEADLINE_EXCEEDED",
              `actor ${start.actorId} did not start within ${this.#options.startTimeoutMs} ms`,
            ),
          ),
        this.#options.startTimeoutMs,
      );
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.once("error", onError);
    });
  }

  async #stop(actorId: string, entry: ActorProcess): Promise<void> {
    entry.stopping = true;
    const { child } = entry;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killTimer = setTimeout(() => child.kill("SIGKILL"), this.#options.killGraceMs);
      await entry.exited;
      clearTimeout(killTimer);
    }
    if (this.#processes.get(actorId) === entry) this.#processes.delete(actorId);
  }
}
