/**
 * How the head reaches a node's Worker service (to start and stop actor processes). The actor
 * manager depends on the WorkerClient interface only; GrpcWorkerClient is the real one, and
 * tests pass a fake.
 */
import type { ActorSpec } from "@neurogrid/schema";
import { unaryCall } from "../grpc/call.js";
import { ClientPool } from "../grpc/client-pool.js";
import { specToWire } from "../grpc/convert.js";
import { clusterServices } from "../grpc/proto.js";
import type { TlsMaterial } from "../grpc/tls.js";

export interface StartActorArgs {
  actorId: string;
  spec: ActorSpec;
  gpuIds: number[];
  /** The incarnation's fencing epoch (ActorInfo.epoch). */
  epoch: number;
}

export interface StartedActor {
  /** host:port of the actor process's Actor service. */
  address: string;
  pid: number;
}

/** How an actor's process is stopped: SIGKILL at once (the default), or a graceful shutdown. */
export interface KillOptions {
  /** Refuse new calls, finish accepted ones for up to graceMs, then exit. */
  graceful?: boolean | undefined;
  /** Grace period of a graceful shutdown; the worker's default when absent. */
  graceMs?: number | undefined;
}

export interface WorkerClient {
  startActor(workerAddress: string, args: StartActorArgs, timeoutMs: number): Promise<StartedActor>;
  /** Resolves once the process has exited. */
  killActor(workerAddress: string, actorId: string, timeoutMs: number, kill?: KillOptions): Promise<void>;
  /** Drops the connection to a worker (it died). */
  forget(workerAddress: string): void;
  close(): void;
}

export class GrpcWorkerClient implements WorkerClient {
  readonly #pool: ClientPool;
  readonly #service = clusterServices().worker;

  /**
   * `tls`: the head's certificate, for mutual TLS with the workers; plain text when absent.
   * `credential`: the head's loopback credential token, when the cluster uses one.
   */
  constructor(tls?: TlsMaterial, credential?: string) {
    this.#pool = new ClientPool({}, tls, credential);
  }

  async startActor(workerAddress: string, args: StartActorArgs, timeoutMs: number): Promise<StartedActor> {
    const reply = await unaryCall(
      this.#pool.get(workerAddress),
      this.#service.StartActor,
      { actorId: args.actorId, spec: specToWire(args.spec), gpuIds: args.gpuIds, epoch: args.epoch },
      { timeoutMs },
    );
    return { address: reply.address, pid: reply.pid };
  }

  async killActor(
    workerAddress: string,
    actorId: string,
    timeoutMs: number,
    kill: KillOptions = {},
  ): Promise<void> {
    const request = { actorId, force: kill.graceful !== true, graceMs: kill.graceMs ?? 0 };
    await unaryCall(this.#pool.get(workerAddress), this.#service.KillActor, request, { timeoutMs });
  }

  forget(workerAddress: string): void {
    this.#pool.close(workerAddress);
  }

  close(): void {
    this.#pool.closeAll();
  }
}
