/**
 * Prestarted actor processes (the worker's warm pool): forked ahead of time with PRESTARTED_FLAG,
 * each has loaded Node, the actor runtime and the cluster contract and said hello; it becomes
 * an actor when the worker sends it a start message, which makes creating an actor a matter of
 * constructing it and binding a port. A process taken from the pool is replaced in the
 * background. A pooled process that dies is not replaced until the next take (no fork loop);
 * the processes exit by themselves when the worker dies (their IPC channel closes).
 */
import type { ChildProcess } from "node:child_process";
import { isChildMessage } from "../runtime/actor-host-protocol.js";

export interface ActorPoolOptions {
  /** Idle processes kept ready; 0 disables the pool. */
  size: number;
  /** Forks one prestarted process. */
  fork: () => ChildProcess;
}

interface Pooled {
  child: ChildProcess;
  ready: boolean;
  exited: Promise<void>;
  forget: () => void;
}

export class ActorPool {
  readonly #options: ActorPoolOptions;
  readonly #members = new Set<Pooled>();
  #stopped = false;

  constructor(options: ActorPoolOptions) {
    this.#options = options;
  }

  /** Pids of the idle processes that said hello. */
  get readyPids(): number[] {
    return [...this.#members].filter((m) => m.ready).map((m) => m.child.pid ?? 0);
  }

  /** Forks processes until the pool is full. */
  fill(): void {
    while (!this.#stopped && this.#members.size < this.#options.size) this.#add();
  }

  /** An idle process that said hello, now the caller's; undefined when none is ready. */
  take(): ChildProcess | undefined {
    const member = [...this.#members].find((m) => m.ready && m.child.connected);
    if (member === undefined) return undefined;
    member.forget();
    this.fill();
    return member.child;
  }

  /** Stops the idle processes; the pool forks no more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const members = [...this.#members];
    for (const member of members) member.child.kill("SIGKILL");
    await Promise.all(members.map((member) => member.exited));
  }

  #add(): void {
    const child = this.#options.fork();
    const member: Pooled = {
      child,
      ready: false,
      exited: new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.once("error", () => resolve());
      }),
      forget: () => {
        this.#members.delete(member);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.off("error", onExit);
      },
    };
    const onMessage = (message: unknown) => {
      if (isChildMessage(message) && message.type === "hello") member.ready = true;
    };
    const onExit = () => member.forget();
    child.on("message", onMessage);
    child.once("exit", onExit);
    child.once("error", onExit);
    this.#members.add(member);
  }
}
