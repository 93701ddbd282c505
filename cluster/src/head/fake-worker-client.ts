/**
 * An in-memory WorkerClient for tests (after Ray's fake_* clients): records every call, and
 * starts actors after an optional delay, or fails them, as the test says.
 */
import { ClusterError } from "../errors.js";
import type { KillOptions, StartActorArgs, StartedActor, WorkerClient } from "./worker-client.js";

export class FakeWorkerClient implements WorkerClient {
  readonly started: { workerAddress: string; args: StartActorArgs }[] = [];
  readonly killed: { workerAddress: string; actorId: string; kill?: KillOptions }[] = [];
  /** When set, kills resolve only when the test resolves this (a process draining). */
  killGate: Promise<void> | undefined;
  /** Delay before a start settles. */
  startDelayMs = 0;
  /** When set, starts fail with this error. */
  failStartWith: ClusterError | undefined;
  #nextPid = 1000;

  async startActor(workerAddress: string, args: StartActorArgs): Promise<StartedActor> {
    this.started.push({ workerAddress, args });
    if (this.startDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.startDelayMs));
    if (this.failStartWith) throw this.failStartWith;
    const pid = this.#nextPid++;
    return { address: `127.0.0.1:${20000 + pid}`, pid };
  }

  async killActor(
    workerAddress: string,
    actorId: string,
    _timeoutMs: number,
    kill?: KillOptions,
  ): Promise<void> {
    this.killed.push(kill?.graceful ? { workerAddress, actorId, kill } : { workerAddress, actorId });
    await this.killGate;
  }

  forget(): void {}

  close(): void {}
}

export function unavailable(message = "worker unreachable"): ClusterError {
  return new ClusterError("UNAVAILABLE", message);
}
