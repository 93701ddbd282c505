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

export interface StartActorArgs {
  actorId: string;
  spec: ActorSpec;
  gpuIds: number[];
}

export interface StartedActor {
  /** host:port of the actor process's Actor service. */
  address: string;
  pid: number;
}

export interface WorkerClient {
  startActor(workerAddress: string, args: StartActorArgs, timeoutMs: number): Promise<StartedActor>;
  killActor(workerAddress: string, actorId: string, timeoutMs: number): Promise<void>;
  /** Drops the connection to a worker (it died). */
  forget(workerAddress: string): void;
  close(): void;
}

export class GrpcWorkerClient implements WorkerClient {
  readonly #pool = new ClientPool();
  readonly #service = clusterServices().worker;

  async startActor(workerAddress: string, args: StartActorArgs, timeoutMs: number): Promise<StartedActor> {
    const reply = await unaryCall(
      this.#pool.get(workerAddress),
      this.#service.StartActor,
      { actorId: args.actorId, spec: specToWire(args.spec), gpuIds: args.gpuIds },
      { timeoutMs },
    );
    return { address: reply.address, pid: reply.pid };
  }

  async killActor(workerAddress: string, actorId: string, timeoutMs: number): Promise<void> {
    await unaryCall(this.#pool.get(workerAddress), this.#service.KillActor, { actorId }, { timeoutMs });
  }

  forget(workerAddress: string): void {
    this.#pool.close(workerAddress);
  }

  close(): void {
    this.#pool.closeAll();
  }
}
